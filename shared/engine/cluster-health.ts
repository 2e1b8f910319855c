import type { ClusterSnapshot } from "../cluster/model.js";
import type { ClusterHealth, ClusterScanStatus } from "../scan/model.js";
import { USE_LABEL } from "../checks/workload-identity.js";

/** How a cluster's scan went, in the terms of the scan health table. */
export function clusterHealth(snapshot: ClusterSnapshot, findings: number): ClusterHealth {
  const { status, reason } = statusOf(snapshot);
  const cluster = snapshot.cluster;
  return {
    clusterId: cluster.id,
    cluster: cluster.name,
    subscriptionId: cluster.subscriptionId,
    resourceGroup: cluster.resourceGroup,
    status,
    ...(reason !== undefined && { reason }),
    accessPath: snapshot.accessPath,
    durationMs: snapshot.stats.durationMs,
    requests: snapshot.stats.requests,
    findings,
    podsSeen: snapshot.stats.podsSeen,
    workloadIdentityPods: snapshot.pods.filter((p) => p.labels[USE_LABEL] === "true").length,
  };
}

function statusOf(snapshot: ClusterSnapshot): { status: ClusterScanStatus; reason?: string } {
  const errors = snapshot.errors;
  if (errors.length === 0) return { status: "ok" };
  const first = errors[0]!;
  const reason = `${first.verb} ${first.resource}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}`;
  if (errors.every((e) => e.kind === "error") && snapshot.accessPath === "none") return { status: "error", reason };
  if (snapshot.accessPath === "none" || errors.some((e) => e.kind === "unreachable")) {
    return { status: "unreachable", reason };
  }
  if (errors.every((e) => e.kind === "unauthorized") || (errors.some((e) => e.kind === "unauthorized") && snapshot.serviceAccounts.length === 0)) {
    return { status: "forbidden", reason };
  }
  return { status: "partial", reason };
}
