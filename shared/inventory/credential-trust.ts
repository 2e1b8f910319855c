/**
 * What a federated credential admits, parsed from the shapes ARM and Microsoft
 * Graph return. `subject` and `claimsMatchingExpression` are mutually
 * exclusive (ARM 2025-01-31-preview: "Either 'subject' or
 * 'claimsMatchingExpression' must be defined, but not both"; Graph beta
 * federatedIdentityCredential: "If claimsMatchingExpression is defined,
 * subject must be null"), so a credential without a subject is a flexible one,
 * whether or not the read returned its expression.
 */
import type { CredentialTrust, FederatedCredential } from "./model.js";

export function credentialTrust(subject: unknown, expression: unknown, issuer?: unknown): CredentialTrust {
  // Recognised by its issuer, whatever subject AKS gives it: the issuer is the
  // binding's own (one per identity), never a cluster's.
  if (typeof issuer === "string" && isIdentityBindingIssuer(issuer)) return { kind: "identity-binding" };
  if (typeof subject === "string" && subject !== "") return { kind: "exact", subject };
  const parsed = parseExpression(expression);
  return parsed === undefined ? { kind: "flexible" } : { kind: "flexible", expression: parsed };
}

function parseExpression(expression: unknown): { value: string; languageVersion: number } | undefined {
  if (typeof expression !== "object" || expression === null) return undefined;
  const { value, languageVersion } = expression as { value?: unknown; languageVersion?: unknown };
  if (typeof value !== "string" || value === "") return undefined;
  // languageVersion "should always be set to 1" (Entra docs); keep what Azure says, default to 1 if it says nothing.
  return { value, languageVersion: typeof languageVersion === "number" ? languageVersion : 1 };
}

/** A Graph federatedIdentityCredential (v1.0 or beta JSON) as the checks see it. */
export function fromGraphCredential(raw: {
  id?: unknown;
  name?: unknown;
  issuer?: unknown;
  subject?: unknown;
  claimsMatchingExpression?: unknown;
  audiences?: unknown;
}): FederatedCredential {
  return {
    ...(typeof raw.id === "string" && { id: raw.id }),
    name: typeof raw.name === "string" ? raw.name : "",
    issuer: typeof raw.issuer === "string" ? raw.issuer : "",
    trust: credentialTrust(raw.subject, raw.claimsMatchingExpression, raw.issuer),
    audiences: Array.isArray(raw.audiences) ? raw.audiences.filter((a): a is string => typeof a === "string") : [],
  };
}

/** An ARM Microsoft.ManagedIdentity federatedIdentityCredentials resource (raw JSON) as the checks see it. */
export function fromArmCredential(raw: { id?: unknown; name?: unknown; properties?: unknown }): FederatedCredential {
  const properties = (typeof raw.properties === "object" && raw.properties !== null ? raw.properties : {}) as Record<string, unknown>;
  return fromGraphCredential({ id: raw.id, name: raw.name, ...properties });
}

/** The subject of an exact credential; undefined for a flexible one. For evidence and commands only: match with trusts(). */
export function exactSubject(credential: FederatedCredential): string | undefined {
  return credential.trust.kind === "exact" ? credential.trust.subject : undefined;
}

/** The name AKS gives the credential it manages for identity bindings (azure-aks-docs articles/aks/identity-bindings.md). */
export const IDENTITY_BINDING_CREDENTIAL_NAME = "aks-identity-binding";

/**
 * `https://ib.oic.prod-aks.azure.com/<tenant>/<clientId>` ("az aks
 * identity-binding show": oidcIssuer.oidcIssuerUrl, azure-aks-docs
 * articles/aks/identity-bindings.md), and its sovereign-cloud twins
 * (`azure.<tld>`), with or without a trailing slash.
 */
const IDENTITY_BINDING_ISSUER = /^https:\/\/ib\.oic\.prod-aks\.azure\.[a-z.]+\/[^/]+\/[^/]+\/?$/i;
export function isIdentityBindingIssuer(issuer: string): boolean {
  return IDENTITY_BINDING_ISSUER.test(issuer);
}
