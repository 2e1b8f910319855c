/**
 * Facts about AKS workload identity that several checks share (see
 * ../shared/reference/WORKLOAD-IDENTITY-NOTES.md). Pure functions and constants only.
 */
import type { ClusterSnapshot, Labels } from "../cluster/model.js";
import { isAcceptedTokenExpiration } from "./token-expiration.js";
import { WEBHOOK_DEFAULT_AUDIENCE } from "./aks-clouds.js";

export const USE_LABEL = "azure.workload.identity/use";
export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
export const TOKEN_EXPIRATION_ANNOTATION = "azure.workload.identity/service-account-token-expiration";
export const INJECT_PROXY_SIDECAR_ANNOTATION = "azure.workload.identity/inject-proxy-sidecar";
export const SKIP_CONTAINERS_ANNOTATION = "azure.workload.identity/skip-containers";

/** The audience the webhook projects unless told otherwise (aks-clouds.ts says where another one is possible). */
export const TOKEN_EXCHANGE_AUDIENCE = WEBHOOK_DEFAULT_AUDIENCE;
/** The webhook entry of the azure-workload-identity MutatingWebhookConfiguration. */
export const WEBHOOK_ENTRY_NAME = "mutation.azure-workload-identity.io";
export const HELM_WEBHOOK_NAMESPACE = "azure-workload-identity-system";
export const HELM_RELEASE_NAME = "workload-identity-webhook";

export const TOKEN_EXPIRATION_MIN_SECONDS = 3600;
export const TOKEN_EXPIRATION_MAX_SECONDS = 86400;
export const FEDERATED_CREDENTIAL_LIMIT = 20;
export const FEDERATED_CREDENTIAL_WARN_AT = 18;

/** The webhook selects pods by this exact, case-sensitive label value. */
export function hasUseLabel(labels: Labels): boolean {
  return labels[USE_LABEL] === "true";
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isGuid(value: string): boolean {
  return GUID.test(value);
}

/** Trims a trailing "/" and lower-cases: the comparison Entra does NOT do, used only to explain near misses. */
export function looseIssuerKey(issuer: string): string {
  return issuer.replace(/\/+$/, "").toLowerCase();
}

export type IssuerDifference = "none" | "trailing slash" | "case" | "case and trailing slash" | "different issuer";

/** How a credential's issuer differs from the cluster's (Entra compares them exactly). */
export function issuerDifference(expected: string, found: string): IssuerDifference {
  if (expected === found) return "none";
  if (looseIssuerKey(expected) !== looseIssuerKey(found)) return "different issuer";
  const slashDiffers = expected.endsWith("/") !== found.endsWith("/");
  const caseDiffers = expected.replace(/\/+$/, "") !== found.replace(/\/+$/, "");
  if (slashDiffers && caseDiffers) return "case and trailing slash";
  return slashDiffers ? "trailing slash" : "case";
}

/** AKS OIDC issuers: https://oidc.prod-aks.azure.com/<guid>/ and https://<region>.oic.prod-aks.azure.com/<tenant>/<guid>/ (and sovereign-cloud twins). */
const AKS_ISSUER = /^https:\/\/([a-z0-9-]+\.)*(oic|oidc)\.prod-aks\.azure\.[a-z.]+\//i;
export function isAksIssuer(issuer: string): boolean {
  return AKS_ISSUER.test(issuer);
}

export function serviceAccountSubject(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Parses `system:serviceaccount:<ns>:<name>` with names Kubernetes accepts; undefined when no service account can ever match. */
export function parseServiceAccountSubject(subject: string): { namespace: string; name: string } | undefined {
  const parts = subject.split(":");
  if (parts.length !== 4 || parts[0] !== "system" || parts[1] !== "serviceaccount") return undefined;
  const namespace = parts[2] ?? "";
  const name = parts[3] ?? "";
  if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) return undefined;
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) return undefined;
  return { namespace, name };
}

/**
 * Whether the webhook accepts this service-account-token-expiration value (or
 * ignores it, when empty): parsed as Go's strconv.ParseInt, within 3600..86400
 * (token-expiration.ts cites the webhook).
 */
export function isValidTokenExpiration(value: string): boolean {
  return isAcceptedTokenExpiration(value);
}

/**
 * Built-in roles that let a workload take over everything in their scope. Compared on the role definition's trailing GUID.
 * Role Based Access Control Administrator can assign any role, Owner included, so it is as privileged as User Access
 * Administrator (learn.microsoft.com/azure/role-based-access-control/built-in-roles, "Privileged": "Manage access to
 * Azure resources by assigning roles using Azure RBAC").
 */
export const PRIVILEGED_ROLES: Readonly<Record<string, string>> = {
  "8e3af657-a8ff-443c-a75c-2fe8c4bcb635": "Owner",
  "b24988ac-6180-42a0-ab88-20f7382dd24c": "Contributor",
  "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9": "User Access Administrator",
  "f58310d9-a9f6-439a-9e8d-f62e7b41a168": "Role Based Access Control Administrator",
};

export function roleDefinitionGuid(roleDefinitionId: string): string {
  const parts = roleDefinitionId.split("/").filter((p) => p !== "");
  return (parts[parts.length - 1] ?? "").toLowerCase();
}

/** Subscription, management group or root ("/") scope: wider than any one workload needs. The last two are inherited by every subscription below. */
export function isBroadScope(scope: string): boolean {
  const s = scope.replace(/\/+$/, "").toLowerCase();
  return s === "" || /^\/subscriptions\/[^/]+$/.test(s) || /^\/providers\/microsoft\.management\/managementgroups\/[^/]+$/.test(s);
}

/** Token-exchange error codes from the reference notes, with what each points at. */
export const AADSTS_CODES: Readonly<Record<string, { meaning: string; fix: string }>> = {
  AADSTS70021: { meaning: "no matching federated identity record", fix: "Create a federated credential for this cluster's issuer and the service account's subject (it can take a few minutes to propagate)." },
  AADSTS700211: { meaning: "no matching issuer", fix: "Make the credential's issuer equal the cluster's OIDC issuer URL exactly, trailing slash included; re-created clusters have a new issuer." },
  AADSTS700212: { meaning: "no matching audience", fix: "Set the credential's audience to the assertion audience the error names, the one the pod's token carries (api://AzureADTokenExchange unless the cluster's webhook projects another)." },
  AADSTS700213: { meaning: "no matching subject", fix: "Make the credential's subject system:serviceaccount:<namespace>:<name> exactly (case-sensitive)." },
  AADSTS700016: { meaning: "application not found in the directory", fix: "Check the client id annotation and the tenant: the identity must exist in the tenant the pod authenticates against." },
  AADSTS70011: { meaning: "invalid scope", fix: "Request a scope ending in /.default for the right resource." },
  AADSTS700024: { meaning: "assertion outside its valid time range", fix: "Update the Azure SDK so it re-reads the token file, and check that the projected token is refreshed." },
  AADSTS90061: { meaning: "external OIDC endpoint request failed", fix: "Check that the cluster's OIDC issuer is enabled and its discovery document is reachable." },
  AADSTS90002: { meaning: "tenant not found", fix: "Fix the azure.workload.identity/tenant-id annotation or the webhook's tenant." },
};

/** Lower-cased, valid client ids that the service accounts of a snapshot name, sorted. */
export function namedClientIds(snapshot: Pick<ClusterSnapshot, "serviceAccounts">): string[] {
  const ids = new Set<string>();
  for (const sa of snapshot.serviceAccounts) {
    const id = sa.annotations[CLIENT_ID_ANNOTATION]?.trim();
    if (id !== undefined && isGuid(id)) ids.add(id.toLowerCase());
  }
  return [...ids].sort();
}
