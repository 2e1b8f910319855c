/**
 * What the console's overview needs of the open and suppressed findings,
 * counted per scope (a cluster's partition, a subscription's fleet-level
 * findings) so the overview reads one row per scope instead of every finding.
 *
 * Pure: the store derives a scope's counts from the very findings it has just
 * written (or read), never by adding deltas to an earlier row, so a count is
 * either exact or marked stale and read live (docs/console.md, "How the
 * overview counts").
 */
import { SEVERITIES, type Severity } from "../findings/model.js";
import { compareFindings } from "../report/finding-order.js";
import { clip, clipMultiline } from "../digest/text-bounds.js";
import { effectiveStatus } from "./lifecycle.js";
import type { StoredFinding } from "./model.js";

/** Checks that say a cluster could not be read; their fix is shown beside the unscanned cluster. */
const SCAN_PROBLEM_CHECKS: ReadonlySet<string> = new Set(["scan.forbidden", "scan.cluster-unreachable"]);

/** Controls kept per group: enough for the overview's "controls at stake" line, bounded against hostile input. */
const MAX_CONTROLS = 40;

/** The open and suppressed findings of one subscription and cluster (either may be "": tenant-wide, fleet-level). */
export interface FindingCounts {
  /** Lower-cased subscription id, "" for none. */
  subscriptionId: string;
  /** Lower-cased cluster resource id, "" for findings of no cluster. */
  clusterId: string;
  open: Record<Severity, number>;
  suppressed: number;
  /** Distinct namespaced objects with an open high finding: the failing workloads of the compliance score. */
  failingWorkloads: number;
  /** An open high finding of the whole cluster (not a scan problem): every workload fails. */
  clusterWideHigh: boolean;
  /** Controls evidenced by open findings, sorted. */
  controls: string[];
  /** The fix of the first open scan problem (cluster unreachable, forbidden), clipped for display. */
  scanProblem?: { text: string; command: string };
}

/** A scope's counts, and when they stop being true without any write: the first expiry of a suppression in force. */
export interface ScopeCounts {
  groups: FindingCounts[];
  nextExpiry?: string;
}

/** Counts the findings of one scope as a reader sees them at `now` (an expired suppression is open). */
export function countFindings(findings: Iterable<StoredFinding>, now: Date): ScopeCounts {
  const groups = new Map<string, { counts: FindingCounts; failing: Set<string>; controls: Set<string>; problem?: StoredFinding }>();
  let nextExpiry: string | undefined;
  for (const f of findings) {
    const status = effectiveStatus(f, now);
    if (status === "resolved") continue;
    const subscriptionId = f.resource.subscriptionId?.toLowerCase() ?? "";
    const clusterId = f.resource.clusterId?.toLowerCase() ?? "";
    const key = `${subscriptionId}\n${clusterId}`;
    let group = groups.get(key);
    if (group === undefined) {
      group = { counts: emptyCounts(subscriptionId, clusterId), failing: new Set(), controls: new Set() };
      groups.set(key, group);
    }
    if (status === "suppressed") {
      group.counts.suppressed += 1;
      const expires = f.suppression?.expiresAt;
      if (expires !== undefined && (nextExpiry === undefined || expires < nextExpiry)) nextExpiry = expires;
      continue;
    }
    group.counts.open[f.severity] += 1;
    for (const control of f.controls) group.controls.add(control);
    if (SCAN_PROBLEM_CHECKS.has(f.checkId) && clusterId !== "" && (group.problem === undefined || compareFindings(f, group.problem) < 0)) group.problem = f;
    if (f.severity !== "high") continue;
    // The compliance score's rule (shared/digest/compliance.ts clusterScore), counted instead of kept as findings.
    if (f.resource.namespace === undefined) {
      if (!f.checkId.startsWith("scan.")) group.counts.clusterWideHigh = true;
    } else group.failing.add(`${f.resource.namespace}/${f.resource.kind}/${f.resource.name}`.toLowerCase());
  }
  return {
    groups: [...groups.values()].map(({ counts, failing, controls, problem }) => ({
      ...counts,
      failingWorkloads: failing.size,
      controls: [...controls].sort().slice(0, MAX_CONTROLS).map((c) => clip(c, "name")),
      ...(problem !== undefined && { scanProblem: { text: clip(problem.remediation.text, "text"), command: clipMultiline(problem.remediation.command ?? "", "command") } }),
    })),
    ...(nextExpiry !== undefined && { nextExpiry }),
  };
}

/** Open findings of a group, every severity. */
export function openCount(counts: Pick<FindingCounts, "open">): number {
  return SEVERITIES.reduce((sum, s) => sum + counts.open[s], 0);
}

function emptyCounts(subscriptionId: string, clusterId: string): FindingCounts {
  return { subscriptionId, clusterId, open: { high: 0, medium: 0, low: 0, info: 0 }, suppressed: 0, failingWorkloads: 0, clusterWideHigh: false, controls: [] };
}

/** Whether a stored row's counts still hold at `now`: written whole, and no suppression in them has expired since. */
export function countsHold(row: { stale: boolean; nextExpiry?: string }, now: Date): boolean {
  return !row.stale && (row.nextExpiry === undefined || Date.parse(row.nextExpiry) > now.getTime());
}

/** Every scope's counts together, and how many scopes had to be read live to get them. */
export interface FleetCounts {
  groups: FindingCounts[];
  scopes: number;
  scopesReadLive: number;
}
