/**
 * Which identities workloads actually use, summarised per cluster so the engine
 * can drop each snapshot after its cluster's checks and still run the fleet
 * checks (identity.*) at the end. Plain JSON: it crosses Durable Functions activities.
 */
import type { ClusterSnapshot } from "../cluster/model.js";
import { clusterFacts } from "./cluster-facts.js";
import { CLIENT_ID_ANNOTATION, isGuid } from "./workload-identity.js";
import { seenTokenAudiences } from "./aks-clouds.js";

export interface ClusterUsage {
  clusterId: string;
  /** Lower-cased client ids named by service accounts that a pod or pod template runs as; sorted, unique. */
  clientIds: string[];
  /**
   * Federated credentials this cluster's findings already report, as
   * "<lower-cased identity id>|<credential name>" (claims.ts); fleet checks
   * they supersede stay silent about them. Sorted, unique. Absent (a cluster
   * that failed before its checks ran, a summary staged by an older version):
   * nothing claimed.
   */
  claimedCredentials?: string[];
  /**
   * True when every pod, pod controller and service account of the cluster
   * was read: then an identity absent from clientIds is unused here. Absent
   * (a cluster that could not be read, a summary staged by an older version): false.
   */
  complete?: boolean;
  /**
   * On a cluster whose cloud allows more than one token-exchange audience
   * (Azure Government, 21Vianet: aks-clouds.ts), the ones its pods' projected
   * tokens were seen to carry; sorted, unique. Absent: none seen, or a
   * public-cloud cluster.
   */
  projectedTokenAudiences?: string[];
}

/** What the fleet checks know of the clusters: who uses which identity, which credentials are explained. */
export interface WorkloadUsage {
  /** Client id -> ids of the clusters whose workloads use it. */
  clustersByClientId: ReadonlyMap<string, readonly string[]>;
  /** Credential keys claimed by any cluster. */
  claimedCredentials: ReadonlySet<string>;
  /** Cluster id -> ClusterUsage.projectedTokenAudiences, for the clusters that have them. */
  projectedTokenAudiencesByClusterId: ReadonlyMap<string, readonly string[]>;
}

/**
 * An identity is "used by a workload" when a service account annotated with its
 * client id is the service account of at least one pod or pod template.
 * `claimedCredentials` comes from the cluster's findings (claimedCredentials() in claims.ts).
 */
export function summarizeClusterUsage(snapshot: ClusterSnapshot, claimedCredentials: readonly string[]): ClusterUsage {
  const facts = clusterFacts(snapshot);
  const clientIds = new Set<string>();
  const runAs = (namespace: string, serviceAccountName: string) => {
    const clientId = facts.serviceAccount(namespace, serviceAccountName || "default")?.annotations[CLIENT_ID_ANNOTATION];
    if (clientId !== undefined && isGuid(clientId)) clientIds.add(clientId.toLowerCase());
  };
  for (const pod of snapshot.pods) runAs(pod.namespace, pod.serviceAccountName);
  for (const w of snapshot.workloads) runAs(w.namespace, w.template.serviceAccountName);
  const audiences = seenTokenAudiences(snapshot);
  return {
    clusterId: snapshot.cluster.id,
    clientIds: [...clientIds].sort(),
    claimedCredentials: [...new Set(claimedCredentials)].sort(),
    complete: facts.sees("pods") && facts.sees("serviceaccounts") && facts.seesWorkloads(),
    ...(audiences.length > 0 && { projectedTokenAudiences: audiences }),
  };
}

export function combineUsage(usages: readonly ClusterUsage[]): WorkloadUsage {
  const clustersByClientId = new Map<string, string[]>();
  const claimedCredentials = new Set<string>();
  const projectedTokenAudiencesByClusterId = new Map<string, readonly string[]>();
  for (const usage of usages) {
    for (const key of usage.claimedCredentials ?? []) claimedCredentials.add(key);
    if (usage.projectedTokenAudiences !== undefined) projectedTokenAudiencesByClusterId.set(usage.clusterId, usage.projectedTokenAudiences);
    for (const clientId of usage.clientIds) {
      const key = clientId.toLowerCase();
      const clusters = clustersByClientId.get(key);
      if (clusters === undefined) clustersByClientId.set(key, [usage.clusterId]);
      else if (!clusters.includes(usage.clusterId)) clusters.push(usage.clusterId);
    }
  }
  return { clustersByClientId, claimedCredentials, projectedTokenAudiencesByClusterId };
}

/** Clusters whose workloads use this client id. */
export function usedOn(usage: WorkloadUsage, clientId: string): readonly string[] {
  return usage.clustersByClientId.get(clientId.toLowerCase()) ?? [];
}
