/**
 * Which identities workloads actually use, summarised per cluster so the engine
 * can drop each snapshot after its cluster's checks and still run the fleet
 * checks (identity.*) at the end. Plain JSON: it crosses Durable Functions activities.
 */
import type { ClusterSnapshot } from "../cluster/model.js";
import { clusterFacts } from "./cluster-facts.js";
import { CLIENT_ID_ANNOTATION, isGuid } from "./workload-identity.js";

export interface ClusterUsage {
  clusterId: string;
  /** Lower-cased client ids named by service accounts that a pod or pod template runs as; sorted, unique. */
  clientIds: string[];
}

/** Client id -> ids of the clusters whose workloads use it. */
export interface WorkloadUsage {
  clustersByClientId: ReadonlyMap<string, readonly string[]>;
}

/**
 * An identity is "used by a workload" when a service account annotated with its
 * client id is the service account of at least one pod or pod template.
 */
export function summarizeClusterUsage(snapshot: ClusterSnapshot): ClusterUsage {
  const facts = clusterFacts(snapshot);
  const clientIds = new Set<string>();
  const runAs = (namespace: string, serviceAccountName: string) => {
    const clientId = facts.serviceAccount(namespace, serviceAccountName || "default")?.annotations[CLIENT_ID_ANNOTATION];
    if (clientId !== undefined && isGuid(clientId)) clientIds.add(clientId.toLowerCase());
  };
  for (const pod of snapshot.pods) runAs(pod.namespace, pod.serviceAccountName);
  for (const w of snapshot.workloads) runAs(w.namespace, w.template.serviceAccountName);
  return { clusterId: snapshot.cluster.id, clientIds: [...clientIds].sort() };
}

export function combineUsage(usages: readonly ClusterUsage[]): WorkloadUsage {
  const clustersByClientId = new Map<string, string[]>();
  for (const usage of usages) {
    for (const clientId of usage.clientIds) {
      const key = clientId.toLowerCase();
      const clusters = clustersByClientId.get(key);
      if (clusters === undefined) clustersByClientId.set(key, [usage.clusterId]);
      else if (!clusters.includes(usage.clusterId)) clusters.push(usage.clusterId);
    }
  }
  return { clustersByClientId };
}

/** Clusters whose workloads use this client id. */
export function usedOn(usage: WorkloadUsage, clientId: string): readonly string[] {
  return usage.clustersByClientId.get(clientId.toLowerCase()) ?? [];
}
