/**
 * The simulator's token signer: RS256 JWTs with one RSA key per simulator
 * instance. The Entra token endpoint mints access tokens with it, the
 * Kubernetes API servers mint service-account tokens (TokenRequest) with it,
 * and both verify what comes back. node:crypto only.
 */
import { createHash, generateKeyPairSync, sign as signBytes, verify as verifyBytes, type JsonWebKey, type KeyObject } from "node:crypto";

export interface TokenSigner {
  /** A compact RS256 JWT carrying exactly these claims (add `exp`, `iat` yourself). */
  sign(claims: Record<string, unknown>): string;
  /** The claims of a token this signer issued, or undefined when the signature is wrong, the token malformed or expired (`exp`) or not yet valid (`nbf`). */
  verify(token: string, now?: Date): Record<string, unknown> | undefined;
  /** Key id in every token header. */
  readonly keyId: string;
  /** The public key as a JWKS document, for OIDC discovery endpoints. */
  jwks(): { keys: JsonWebKey[] };
}

/** Tolerance for `exp` and `nbf`, as token validators commonly allow. */
const CLOCK_SKEW_SECONDS = 60;

export function createTokenSigner(): TokenSigner {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicJwk = publicKey.export({ format: "jwk" });
  const keyId = createHash("sha256").update(`${publicJwk.n}.${publicJwk.e}`).digest("base64url").slice(0, 32);
  const header = base64UrlJson({ alg: "RS256", typ: "JWT", kid: keyId });
  // The same Entra token arrives with every request of every cluster scanned:
  // checking its RSA signature each time was a tenth of the simulator's CPU.
  // Only the signature check is remembered; the lifetime is checked per call.
  const verified = new Map<string, Record<string, unknown>>();

  return {
    keyId,
    sign(claims) {
      const signingInput = `${header}.${base64UrlJson(claims)}`;
      const signature = signBytes("sha256", Buffer.from(signingInput), privateKey).toString("base64url");
      return `${signingInput}.${signature}`;
    },
    verify(token, now = new Date()) {
      let claims = verified.get(token);
      if (!claims) {
        claims = verifySignature(token, publicKey);
        if (!claims) return undefined;
        if (verified.size >= VERIFIED_TOKENS_KEPT) verified.clear();
        verified.set(token, claims);
      }
      return withinLifetime(claims, now) ? claims : undefined;
    },
    jwks() {
      return { keys: [{ ...publicJwk, kid: keyId, use: "sig", alg: "RS256" }] };
    },
  };
}

/** Tokens whose verified claims are remembered; beyond this the memory starts over. */
const VERIFIED_TOKENS_KEPT = 10_000;

function verifySignature(token: string, publicKey: KeyObject): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [encodedHeader, encodedClaims, signature] = parts as [string, string, string];
  const header = parseJson(encodedHeader);
  if (header?.alg !== "RS256") return undefined;
  const valid = verifyBytes("sha256", Buffer.from(`${encodedHeader}.${encodedClaims}`), publicKey, Buffer.from(signature, "base64url"));
  if (!valid) return undefined;
  return parseJson(encodedClaims);
}

function withinLifetime(claims: Record<string, unknown>, now: Date): boolean {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof claims.exp === "number" && claims.exp + CLOCK_SKEW_SECONDS <= nowSeconds) return false;
  if (typeof claims.nbf === "number" && claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds) return false;
  return true;
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

function parseJson(encoded: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
