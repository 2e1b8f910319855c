/**
 * The live token-exchange probe: for each service account that workloads use
 * with workload identity, a TokenRequest for a short-lived token with the
 * audience api://AzureADTokenExchange (or the one the service account's pods
 * carry on a sovereign-cloud cluster), exchanged at the tenant's Entra token
 * endpoint for the identity in the client-id annotation. The verdict (and
 * Entra's AADSTS code) goes into the snapshot; the tokens never leave this
 * module's memory: not in results, errors, logs or findings.
 *
 * Opt-in per scope (PROBE_SCOPES): it needs `create serviceaccounts/token`,
 * which the scanner's read-only role does not otherwise hold.
 */
import type { AuthenticationV1TokenRequest } from "@kubernetes/client-node";
import pLimit from "p-limit";
import { apiPath, KubeSession, type ClusterAccess, type ClusterSnapshot, type CollectionError, type ProbeResult } from "../cluster/index.js";
import { exchangeServiceAccountToken, PUBLIC_AUTHORITY_HOST } from "./token-exchange.js";
import { probeTargets, type ProbeTarget } from "./targets.js";
import { WEBHOOK_DEFAULT_AUDIENCE } from "../checks/aks-clouds.js";

export const TOKEN_EXCHANGE_AUDIENCE = WEBHOOK_DEFAULT_AUDIENCE;

export interface ProbeSettings {
  /** Entra's authority host; default https://login.microsoftonline.com (the simulator's authorityHost in tests). */
  authorityHost?: string;
  /** The access token the exchange asks for: the cloud's ARM (AZURE_CLOUD); default the public cloud's. */
  scope?: string;
  /** Tenant asked when a service account names none: the webhook's tenant, i.e. the scanned tenant. */
  tenantId: string;
  /** PEM of a CA to trust for the token endpoint instead of the public ones (the fleet simulator only). */
  tlsCa?: string;
  requestTimeoutMs?: number;
  /** Service accounts probed at once. */
  concurrency?: number;
}

const TOKEN_REQUEST_TARGET = { resource: "serviceaccounts/token", verb: "create", group: "" };

/**
 * The snapshot with `probeResults` (one per probed service account) and,
 * when TokenRequest was refused, the refusal among its errors so that
 * scan.forbidden names the permission.
 *
 * @example
 *   if (clusterInScopes(config.scanner.probeScopes, cluster) && access.ok) {
 *     snapshot = await withTokenExchangeProbe(snapshot, access.access, { tenantId, authorityHost });
 *   }
 */
export async function withTokenExchangeProbe(snapshot: ClusterSnapshot, access: ClusterAccess, settings: ProbeSettings): Promise<ClusterSnapshot> {
  if (snapshot.accessPath !== "direct") return snapshot;
  const timeoutMs = settings.requestTimeoutMs ?? 30_000;
  const session = new KubeSession(access, { requestTimeoutMs: timeoutMs, concurrency: 2, retries: 1 });
  const limit = pLimit(settings.concurrency ?? 4);
  const errors: CollectionError[] = [];
  const results = await Promise.all(probeTargets(snapshot).map((target) => limit(() => probeOne(session, target, settings, timeoutMs, errors))));
  session.close();
  // One entry per refusal kind and namespace, as the collector keeps them.
  const known = new Set(snapshot.errors.map(errorKey));
  const newErrors = errors.filter((error) => !known.has(errorKey(error)) && known.add(errorKey(error)));
  return {
    ...snapshot,
    probeResults: results,
    errors: [...snapshot.errors, ...newErrors],
    stats: { ...snapshot.stats, requests: snapshot.stats.requests + session.requests },
  };
}

async function probeOne(session: KubeSession, target: ProbeTarget, settings: ProbeSettings, timeoutMs: number, errors: CollectionError[]): Promise<ProbeResult> {
  const tenantId = target.tenantId ?? settings.tenantId;
  const base = {
    namespace: target.namespace,
    serviceAccount: target.serviceAccount,
    clientId: target.clientId,
    tenantId,
    expirationSeconds: target.expirationSeconds,
  };
  const requested = await session.call({ ...TOKEN_REQUEST_TARGET, namespace: target.namespace }, () =>
    session.postJson<AuthenticationV1TokenRequest>(apiPath({ ...TOKEN_REQUEST_TARGET, namespace: target.namespace }, target.serviceAccount, "token"), {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      spec: { audiences: [target.audience ?? TOKEN_EXCHANGE_AUDIENCE], expirationSeconds: target.expirationSeconds },
    }),
  );
  if (!requested.ok) {
    errors.push(requested.error);
    return { ...base, outcome: "error", message: `TokenRequest failed: ${requested.error.message}` };
  }
  const assertion = requested.value.status?.token;
  if (!assertion) return { ...base, outcome: "error", message: "TokenRequest returned no token" };
  const verdict = await exchangeServiceAccountToken({
    authorityHost: settings.authorityHost ?? PUBLIC_AUTHORITY_HOST,
    ...(settings.scope !== undefined && { scope: settings.scope }),
    tenantId,
    clientId: target.clientId,
    assertion,
    ...(settings.tlsCa !== undefined && { tlsCa: settings.tlsCa }),
    timeoutMs,
  });
  switch (verdict.outcome) {
    case "ok":
      return { ...base, outcome: "ok" };
    case "failed":
      return { ...base, outcome: "failed", ...(verdict.aadstsCode !== undefined && { aadstsCode: verdict.aadstsCode }), message: verdict.message };
    case "error":
      return { ...base, outcome: "error", message: verdict.message };
  }
}

function errorKey(error: CollectionError): string {
  return [error.kind, error.verb, error.resource, error.namespace ?? ""].join("|");
}
