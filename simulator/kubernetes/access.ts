/**
 * Who may call a simulated API server, and what they may not do.
 *
 * Authentication as AKS does it: the static token of the cluster-user
 * credential (refused when local accounts are disabled), or, for clusters
 * with Entra ID integration, an Entra access token for the AKS server
 * application. Authorization: everything is allowed except what a configured
 * rule forbids, answered with the real API server's 403 message.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { ArmObject } from "../fleet/model.js";
import type { TokenSigner } from "../tokens.js";

/** The AKS server application: the audience of Entra tokens for any AKS API server. */
export const AKS_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** The user the static cluster-user token authenticates as (member of system:masters on AKS). */
export const STATIC_TOKEN_USER = "masterclient";

/** Denies one kind of request on one cluster, as a missing RBAC rule would. */
export interface KubernetesAccessRule {
  cluster: string;
  /** Resource, or resource/subresource: "pods", "pods/log", "serviceaccounts/token", "mutatingwebhookconfigurations". */
  resource: string;
  /** "get", "list" or "create"; every verb when absent. */
  verb?: string;
  /** Only in this namespace (and the cluster-wide lists that include it); everywhere when absent. */
  namespace?: string;
}

/** One request in authorization terms. */
export interface RequestAttributes {
  verb: string;
  resource: string;
  subresource?: string;
  group: string;
  namespace?: string;
  name?: string;
}

export interface Caller {
  user: string;
}

export interface ClusterAuthenticator {
  staticToken(cluster: string): string;
  /**
   * The caller behind a verified client certificate (its common name) or a
   * bearer token, or undefined when the cluster refuses both. The
   * certificate is tried first, as the API server's x509 authenticator is.
   */
  authenticate(cluster: string, token: string | undefined, certificateUser?: string): Caller | undefined;
}

export function createAuthenticator(managedClusters: ReadonlyMap<string, ArmObject>, tokens: TokenSigner, homeTenant: string, staticTokenPrefix = ""): ClusterAuthenticator {
  // Static tokens are derived, not stored: 5,000 clusters cost no memory.
  const secret = randomBytes(32);
  const staticToken = (cluster: string): string => staticTokenPrefix + createHmac("sha256", secret).update(cluster).digest("hex");

  return {
    staticToken,
    authenticate(cluster, token, certificateUser) {
      const properties = managedClusters.get(cluster)?.properties ?? {};
      // The clusterUser certificate belongs to the local accounts: refused with them.
      if (certificateUser !== undefined && properties.disableLocalAccounts !== true) return { user: certificateUser };
      if (!token) return undefined;
      // ARM spells it tenantID (ManagedClusterAADProfile in specification/containerservice; the pinned
      // @azure/arm-containerservice models say "If not specified, will use the tenant of the deployment subscription").
      const aadProfile = properties.aadProfile as { tenantID?: string } | undefined;
      if (properties.disableLocalAccounts !== true && sameSecret(token, staticToken(cluster))) return { user: STATIC_TOKEN_USER };
      if (!aadProfile || !token.startsWith("eyJ")) return undefined;
      const claims = tokens.verify(token);
      if (!claims || !audienceMatches(claims.aud)) return undefined;
      // The API server accepts tokens of its Entra tenant only, whatever roles the caller holds elsewhere.
      const tenant = aadProfile.tenantID ?? homeTenant;
      if (typeof claims.tid !== "string" || claims.tid.toLowerCase() !== tenant.toLowerCase()) return undefined;
      const user = [claims.upn, claims.preferred_username, claims.oid, claims.sub].find((value) => typeof value === "string");
      return { user: (user as string | undefined) ?? "unknown" };
    },
  };
}

function audienceMatches(aud: unknown): boolean {
  const accepted = (value: unknown): boolean => value === AKS_SERVER_APP_ID || value === `api://${AKS_SERVER_APP_ID}`;
  return Array.isArray(aud) ? aud.some(accepted) : accepted(aud);
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** True when a rule forbids the request. */
export function isForbidden(rules: readonly KubernetesAccessRule[], cluster: string, request: RequestAttributes): boolean {
  const resource = request.subresource === undefined ? request.resource : `${request.resource}/${request.subresource}`;
  return rules.some(
    (rule) =>
      rule.cluster === cluster &&
      rule.resource === resource &&
      (rule.verb === undefined || rule.verb === request.verb) &&
      (rule.namespace === undefined || request.namespace === undefined || rule.namespace === request.namespace),
  );
}
