/**
 * Which service accounts the probe exchanges a token for: those that carry a
 * client id and that some pod or workload of the cluster runs as. A service
 * account without a client id has nothing to exchange (sa.client-id-missing
 * says so); one nothing runs as would prove nothing about a workload.
 */
import type { ClusterSnapshot, ServiceAccountSummary } from "../cluster/index.js";
import { optsIntoIdentityBinding } from "../checks/identity-binding.js";
import { WEBHOOK_DEFAULT_AUDIENCE, acceptedTokenAudiences } from "../checks/aks-clouds.js";
import { TOKEN_EXPIRATION_ANNOTATION, TOKEN_EXPIRATION_LIMITS, effectiveTokenExpiration, parseGoInt64 } from "../checks/token-expiration.js";

export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
export { TOKEN_EXPIRATION_ANNOTATION };

/** The webhook's limits for the projected token's lifetime, and its default. */
export const TOKEN_EXPIRATION = TOKEN_EXPIRATION_LIMITS;

export interface ProbeTarget {
  namespace: string;
  serviceAccount: string;
  clientId: string;
  /** The service account's tenant annotation, when it has one. */
  tenantId?: string;
  expirationSeconds: number;
  /**
   * The audience the token of the service account's pods carries when it is
   * not the webhook's default: on an Azure Government or 21Vianet cluster
   * whose webhook projects the cloud's own (shared/checks/aks-clouds.ts), the
   * probe asks for what the workload presents.
   */
  audience?: string;
}

export function probeTargets(snapshot: ClusterSnapshot): ProbeTarget[] {
  const runAs = new Map<string, Array<Readonly<Record<string, string>>>>();
  const note = (namespace: string, serviceAccount: string, annotations: Readonly<Record<string, string>>) => {
    const key = `${namespace}/${serviceAccount}`;
    runAs.set(key, [...(runAs.get(key) ?? []), annotations]);
  };
  for (const pod of snapshot.pods) note(pod.namespace, pod.serviceAccountName, pod.annotations);
  for (const workload of snapshot.workloads) note(workload.namespace, workload.template.serviceAccountName, workload.template.annotations);
  const projectedAudiences = sovereignProjectedAudiences(snapshot);

  return snapshot.serviceAccounts.flatMap((account) => {
    const clientId = account.annotations[CLIENT_ID_ANNOTATION]?.trim();
    const users = runAs.get(`${account.namespace}/${account.name}`);
    if (clientId === undefined || clientId === "" || users === undefined) return [];
    // Pods that all opt in to AKS identity binding get their token through AKS's token proxy for the
    // binding's audience (shared/checks/identity-binding.ts): an exchange of the cluster's own token
    // would prove nothing about them, and binding.* judge them instead.
    if (users.every(optsIntoIdentityBinding)) return [];
    const tenantId = account.annotations[TENANT_ID_ANNOTATION]?.trim();
    const audience = projectedAudiences.get(`${account.namespace}/${account.name}`);
    return [
      {
        namespace: account.namespace,
        serviceAccount: account.name,
        clientId,
        ...(tenantId !== undefined && tenantId !== "" && { tenantId }),
        expirationSeconds: expirationFor(account, users),
        ...(audience !== undefined && { audience }),
      },
    ];
  });
}

/** By "<namespace>/<service account>": a non-default token-exchange audience the cluster's cloud allows, seen on its pods. */
function sovereignProjectedAudiences(snapshot: ClusterSnapshot): Map<string, string> {
  const accepted = acceptedTokenAudiences(snapshot.cluster.oidcIssuerUrl).filter((a) => a !== WEBHOOK_DEFAULT_AUDIENCE);
  const found = new Map<string, string>();
  if (accepted.length === 0) return found;
  for (const pod of snapshot.pods) {
    const audience = pod.projectedTokenVolumes.find((v) => v.audience !== undefined && accepted.includes(v.audience))?.audience;
    if (audience !== undefined) found.set(`${pod.namespace}/${pod.serviceAccountName}`, audience);
  }
  return found;
}

/**
 * The lifetime the webhook gives the first pod or template that runs as this
 * service account: its own annotation when not empty, else the service
 * account's, parsed as Go's strconv.ParseInt (effectiveTokenExpiration, which
 * cites the webhook). When the webhook would reject the pod (not an integer,
 * out of 3600..86400: pod.token-expiration-invalid says so) the probe still
 * needs a lifetime the API server accepts: the nearest limit for a number out
 * of range, the default for what is no integer.
 */
function expirationFor(account: ServiceAccountSummary, users: ReadonlyArray<Readonly<Record<string, string>>>): number {
  const decided = effectiveTokenExpiration(users[0] ?? {}, account.annotations);
  if ("seconds" in decided) return decided.seconds;
  const parsed = parseGoInt64(decided.value);
  if (parsed === undefined) return TOKEN_EXPIRATION.default;
  return parsed < BigInt(TOKEN_EXPIRATION.min) ? TOKEN_EXPIRATION.min : TOKEN_EXPIRATION.max;
}
