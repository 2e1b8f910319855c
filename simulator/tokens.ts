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

  return {
    keyId,
    sign(claims) {
      const signingInput = `${header}.${base64UrlJson(claims)}`;
      const signature = signBytes("sha256", Buffer.from(signingInput), privateKey).toString("base64url");
      return `${signingInput}.${signature}`;
    },
    verify(token, now = new Date()) {
      return verifyToken(token, publicKey, now);
    },
    jwks() {
      return { keys: [{ ...publicJwk, kid: keyId, use: "sig", alg: "RS256" }] };
    },
  };
}

function verifyToken(token: string, publicKey: KeyObject, now: Date): Record<string, unknown> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [encodedHeader, encodedClaims, signature] = parts as [string, string, string];
  const header = parseJson(encodedHeader);
  if (header?.alg !== "RS256") return undefined;
  const valid = verifyBytes("sha256", Buffer.from(`${encodedHeader}.${encodedClaims}`), publicKey, Buffer.from(signature, "base64url"));
  if (!valid) return undefined;
  const claims = parseJson(encodedClaims);
  if (!claims) return undefined;
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof claims.exp === "number" && claims.exp + CLOCK_SKEW_SECONDS <= nowSeconds) return undefined;
  if (typeof claims.nbf === "number" && claims.nbf - CLOCK_SKEW_SECONDS > nowSeconds) return undefined;
  return claims;
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
