/**
 * Which service accounts the probe exchanges a token for: those that carry a
 * client id and that some pod or workload of the cluster runs as. A service
 * account without a client id has nothing to exchange (sa.client-id-missing
 * says so); one nothing runs as would prove nothing about a workload.
 */
import type { ClusterSnapshot, ServiceAccountSummary } from "../cluster/index.js";

export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
export const TOKEN_EXPIRATION_ANNOTATION = "azure.workload.identity/service-account-token-expiration";

/** The webhook's limits for the projected token's lifetime, and its default. */
export const TOKEN_EXPIRATION = { min: 3600, max: 86400, default: 3600 } as const;

export interface ProbeTarget {
  namespace: string;
  serviceAccount: string;
  clientId: string;
  /** The service account's tenant annotation, when it has one. */
  tenantId?: string;
  expirationSeconds: number;
}

export function probeTargets(snapshot: ClusterSnapshot): ProbeTarget[] {
  const runAs = new Map<string, Array<Readonly<Record<string, string>>>>();
  const note = (namespace: string, serviceAccount: string, annotations: Readonly<Record<string, string>>) => {
    const key = `${namespace}/${serviceAccount}`;
    runAs.set(key, [...(runAs.get(key) ?? []), annotations]);
  };
  for (const pod of snapshot.pods) note(pod.namespace, pod.serviceAccountName, pod.annotations);
  for (const workload of snapshot.workloads) note(workload.namespace, workload.template.serviceAccountName, workload.template.annotations);

  return snapshot.serviceAccounts.flatMap((account) => {
    const clientId = account.annotations[CLIENT_ID_ANNOTATION]?.trim();
    const users = runAs.get(`${account.namespace}/${account.name}`);
    if (clientId === undefined || clientId === "" || users === undefined) return [];
    const tenantId = account.annotations[TENANT_ID_ANNOTATION]?.trim();
    return [
      {
        namespace: account.namespace,
        serviceAccount: account.name,
        clientId,
        ...(tenantId !== undefined && tenantId !== "" && { tenantId }),
        expirationSeconds: expirationFor(account, users),
      },
    ];
  });
}

/**
 * The lifetime the webhook would ask for: the service account's annotation,
 * else the first pod's or template's (a pod's wins over its service
 * account's in the webhook, but pods of one account rarely disagree), kept
 * within the webhook's limits.
 */
function expirationFor(account: ServiceAccountSummary, users: ReadonlyArray<Readonly<Record<string, string>>>): number {
  const asked = account.annotations[TOKEN_EXPIRATION_ANNOTATION] ?? users.map((a) => a[TOKEN_EXPIRATION_ANNOTATION]).find((v) => v !== undefined);
  if (asked === undefined || !/^\d+$/.test(asked.trim())) return TOKEN_EXPIRATION.default;
  return Math.min(TOKEN_EXPIRATION.max, Math.max(TOKEN_EXPIRATION.min, Number(asked.trim())));
}
