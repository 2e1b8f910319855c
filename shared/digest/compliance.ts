/**
 * The compliance score: the share of workloads using workload identity that
 * have no open high finding. Workloads are the pods labelled for workload
 * identity that the scan saw in a cluster. A cluster-wide high finding (the
 * webhook is down, the feature is off) fails every one of them; otherwise each
 * distinct namespaced object with an open high finding counts as one failing
 * workload, capped at the cluster's count. The store does not keep which pods
 * use which service account, so this is a close, documented approximation
 * (docs/digest.md), not a pod-by-pod audit.
 */
import type { StoredFinding } from "../store/model.js";
import type { StoredClusterHealth } from "../store/model.js";

export interface ScoreCount {
  workloads: number;
  compliant: number;
}

export const NO_SCORE: ScoreCount = { workloads: 0, compliant: 0 };

export function clusterScore(health: StoredClusterHealth, openInCluster: readonly StoredFinding[]): ScoreCount {
  // A cluster that could not be read has no known workloads: it is reported under scan health, not scored.
  if (health.status !== "ok" && health.status !== "partial") return NO_SCORE;
  const workloads = health.workloadIdentityPods;
  if (workloads === 0) return NO_SCORE;
  const high = openInCluster.filter((f) => f.severity === "high");
  if (high.some((f) => f.resource.namespace === undefined && !f.checkId.startsWith("scan."))) return { workloads, compliant: 0 };
  const failing = new Set(high.filter((f) => f.resource.namespace !== undefined).map((f) => `${f.resource.namespace}/${f.resource.kind}/${f.resource.name}`.toLowerCase()));
  return { workloads, compliant: Math.max(0, workloads - failing.size) };
}

export function addScores(scores: Iterable<ScoreCount>): ScoreCount {
  let workloads = 0;
  let compliant = 0;
  for (const s of scores) {
    workloads += s.workloads;
    compliant += s.compliant;
  }
  return { workloads, compliant };
}

/** Whole percent, rounded down so that 99.6% with one failing workload never shows as 100%. */
export function scorePercent(score: ScoreCount): number | undefined {
  if (score.workloads === 0) return undefined;
  return Math.floor((100 * score.compliant) / score.workloads);
}
