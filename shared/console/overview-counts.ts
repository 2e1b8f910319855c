/**
 * The overview's part of the digest's view model, computed from the counts
 * the store keeps per scope (shared/store/counts.ts) instead of from every
 * open finding. Same rules, same shared row builders: a test holds the two
 * paths equal over a store's lifecycle (test/store/finding-counts.test.ts).
 */
import { groupBy } from "../collections.js";
import { SEVERITIES } from "../findings/model.js";
import { addScores, NO_SCORE, scorePercent, type ScoreCount } from "../digest/compliance.js";
import { LIST_LIMITS } from "../digest/index.js";
import { notChecked, trendPoints } from "../digest/view-model.js";
import type { DigestView } from "../digest/model.js";
import { clip } from "../digest/text-bounds.js";
import { SHELL_LABELS } from "../checks/command-forms.js";
import { openCount, type FindingCounts, type ScanSummary, type StoredClusterHealth } from "../store/index.js";
import { clusterStatus, complianceRowOf, formatDuration, formatInstant, plural, scoreView, SEVERITY_COLORS, SEVERITY_LABELS, worstFirst } from "../views/index.js";

/** What the overview shows of the digest's view. */
export type OverviewParts = Pick<DigestView, "scan" | "bySeverity" | "score" | "subscriptions" | "subscriptionsMore" | "clusters" | "clustersMore" | "trend" | "notChecked" | "notCheckedMore" | "coverage" | "unscanned"> & {
  totals: Pick<DigestView["totals"], "open" | "suppressed" | "clusters" | "subscriptions">;
};

/** The latest scan as the store keeps it, without its findings. */
export interface OverviewScan {
  scan: ScanSummary;
  clusters: StoredClusterHealth[];
  /** Up to seven scans before it, oldest first. */
  earlierScans: ScanSummary[];
}

export function overviewPartsFromCounts(input: OverviewScan, counts: readonly FindingCounts[], subscriptionNames: ReadonlyMap<string, string>): OverviewParts {
  const { scan, clusters } = input;
  const subName = (id: string | undefined) => (id === undefined ? "tenant" : clip(subscriptionNames.get(id) ?? subscriptionNames.get(id.toLowerCase()) ?? id, "name"));
  const byCluster = groupBy(counts, (c) => c.clusterId);
  const bySubscription = groupBy(counts, (c) => c.subscriptionId);
  const clusterScores = new Map(clusters.map((h) => [h.clusterId.toLowerCase(), clusterScoreOf(h, byCluster.get(h.clusterId.toLowerCase()) ?? [])]));
  const fleetScore = addScores(clusterScores.values());
  const open = counts.reduce((sum, c) => sum + openCount(c), 0);
  const subscriptions = [...new Set([...scan.subscriptions, ...clusters.map((c) => c.subscriptionId)].map((s) => s.toLowerCase()))];

  const clusterRows = clusters.map((h) => {
    const id = h.clusterId.toLowerCase();
    return complianceRowOf(clip(h.cluster, "name"), subName(h.subscriptionId), clusterScores.get(id)!, tally(byCluster.get(id) ?? []), clusterStatus(h));
  });
  const subscriptionRows = subscriptions.map((sub) => {
    const inSub = clusters.filter((h) => h.subscriptionId.toLowerCase() === sub);
    const score = addScores(inSub.map((h) => clusterScores.get(h.clusterId.toLowerCase())!));
    const scanned = inSub.filter((h) => h.status === "ok" || h.status === "partial").length;
    return { ...complianceRowOf(subName(sub), "", score, tally(bySubscription.get(sub) ?? []), `${scanned} of ${plural(inSub.length, "cluster")} scanned`), subscriptionId: sub };
  });
  subscriptionRows.sort(worstFirst);
  clusterRows.sort(worstFirst);

  // The digest's helpers read only the scan, its clusters and earlier scans of their data.
  const digestData = { ...input, open: [], suppressed: [], resolved: [], trend: new Map() };
  return {
    scan: {
      id: clip(scan.id, "name"),
      startedAt: formatInstant(scan.startedAt),
      duration: formatDuration(scan.durationMs),
      clustersScanned: clusters.filter((h) => h.status === "ok" || h.status === "partial").length,
      clustersTotal: clusters.length,
      complete: scan.complete,
      url: "",
    },
    totals: { open, suppressed: counts.reduce((sum, c) => sum + c.suppressed, 0), clusters: clusters.length, subscriptions: subscriptions.length },
    bySeverity: SEVERITIES.map((severity) => ({
      severity,
      label: SEVERITY_LABELS[severity],
      count: counts.reduce((sum, c) => sum + c.open[severity], 0),
      color: SEVERITY_COLORS[severity],
    })),
    score: scoreView(fleetScore),
    subscriptions: subscriptionRows.slice(0, LIST_LIMITS.subscriptions),
    subscriptionsMore: Math.max(0, subscriptionRows.length - LIST_LIMITS.subscriptions),
    clusters: clusterRows.slice(0, LIST_LIMITS.clusters),
    clustersMore: Math.max(0, clusterRows.length - LIST_LIMITS.clusters),
    trend: trendPoints(digestData, { id: "fleet", recipients: [] }, open, scorePercent(fleetScore)),
    ...notChecked(digestData, subName),
    unscanned: unscanned(clusters, byCluster, subName).slice(0, LIST_LIMITS.unscanned),
  };
}

/** shared/digest/compliance.ts clusterScore, from counts: a cluster-wide high fails every workload, else each failing object one. */
function clusterScoreOf(health: StoredClusterHealth, counts: readonly FindingCounts[]): ScoreCount {
  if (health.status !== "ok" && health.status !== "partial") return NO_SCORE;
  const workloads = health.workloadIdentityPods;
  if (workloads === 0) return NO_SCORE;
  if (counts.some((c) => c.clusterWideHigh)) return { workloads, compliant: 0 };
  const failing = counts.reduce((sum, c) => sum + c.failingWorkloads, 0);
  return { workloads, compliant: Math.max(0, workloads - failing) };
}

function tally(counts: readonly FindingCounts[]): { open: number; high: number; controls: string[] } {
  return { open: counts.reduce((sum, c) => sum + openCount(c), 0), high: counts.reduce((sum, c) => sum + c.open.high, 0), controls: counts.flatMap((c) => c.controls) };
}

function unscanned(clusters: readonly StoredClusterHealth[], byCluster: Map<string, FindingCounts[]>, subName: (id: string | undefined) => string): OverviewParts["unscanned"] {
  return clusters
    .filter((h) => h.status !== "ok" || !h.findingsSaved)
    .map((h) => {
      const problem = byCluster.get(h.clusterId.toLowerCase())?.find((c) => c.scanProblem !== undefined)?.scanProblem;
      return {
        cluster: clip(h.cluster, "name"),
        subscription: subName(h.subscriptionId),
        status: h.findingsSaved ? h.status : `${h.status}, findings not saved`,
        reason: clip(h.reason ?? "", "reason"),
        fixText: problem?.text ?? "",
        fixCommand: problem?.command ?? "",
        fixShell: SHELL_LABELS.bash,
      };
    })
    .sort((a, b) => a.subscription.localeCompare(b.subscription) || a.cluster.localeCompare(b.cluster));
}
