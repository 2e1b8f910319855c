/**
 * A scan's coverage in one small record for people and gates: how much of
 * what it could have evaluated it did, and a bounded list of what it did not,
 * with why. Stored on the scan row; shown by the CLI, the digest and the API.
 */
import type { CheckId } from "../findings/model.js";
import { ACTIONABLE_GAPS, type CheckCoverage, type ClusterCoverage, type FleetCoverage, type GapReason } from "./model.js";

export interface CoverageGapLine {
  reason: GapReason;
  checkIds: CheckId[];
  /** A cluster's name, "fleet", or a subscription id. */
  where: string;
  detail: string;
  /** A person must act (grant, fix, reach); the rest was asked for (narrowing, opt-in probe, settings). */
  actionable: boolean;
}

export interface ScanCoverageSummary {
  /** (cluster, check) pairs and fleet checks evaluated completely, of those that count (the opt-in probe counts only where it is on). */
  evaluated: number;
  total: number;
  /** evaluated / total, in percent, rounded down to one decimal: 99.96 % is not 100 %. */
  percent: number;
  /** True when no gap needs a person (gaps asked for by narrowing or settings aside). */
  actionableGaps: number;
  /** Subscriptions in scope that Resource Graph did not return. */
  missingSubscriptions: string[];
  /** Checks left out by the selection. */
  notSelected: CheckId[];
  /** At most MAX_GAP_LINES, actionable first; gapLines says how many there were. */
  gaps: CoverageGapLine[];
  gapLines: number;
}

export const MAX_GAP_LINES = 50;

export interface SummaryInput {
  clusters: ReadonlyArray<{ cluster: string; coverage?: ClusterCoverage }>;
  fleet?: FleetCoverage;
  missingSubscriptions: readonly string[];
}

export function summarizeCoverage(input: SummaryInput): ScanCoverageSummary {
  let evaluated = 0;
  let total = 0;
  const lines = new Map<string, CoverageGapLine>();
  const notSelected = new Set<CheckId>();
  const count = (check: CheckCoverage, where: string) => {
    if (check.reason === "probe-off") return;
    total += 1;
    if (check.state === "complete") evaluated += 1;
    if (check.reason === "not-selected") {
      notSelected.add(check.checkId);
      return;
    }
    if (check.state === "complete" && check.graded) return;
    const detail = check.detail ?? "";
    const key = `${check.reason}|${where}|${detail}`;
    const line = lines.get(key);
    if (line) line.checkIds.push(check.checkId);
    else lines.set(key, { reason: check.reason ?? "read-failed", checkIds: [check.checkId], where, detail, actionable: ACTIONABLE_GAPS.has(check.reason ?? "read-failed") });
  };
  for (const cluster of input.clusters) {
    if (cluster.coverage === undefined) {
      // Saved by a version that did not record coverage, or never saved: nothing is proven.
      total += 1;
      lines.set(`unsaved|${cluster.cluster}`, { reason: "read-failed", checkIds: [], where: cluster.cluster, detail: "no coverage recorded for this cluster", actionable: true });
      continue;
    }
    for (const check of cluster.coverage.checks) count(check, cluster.cluster);
  }
  for (const check of input.fleet?.checks ?? []) count(check, "fleet");
  if (input.fleet === undefined) {
    total += 1;
    lines.set("fleet|unsaved", { reason: "read-failed", checkIds: [], where: "fleet", detail: "fleet-level checks were not saved", actionable: true });
  }
  for (const subscription of input.missingSubscriptions) {
    lines.set(`missing|${subscription}`, {
      reason: "subscription-not-returned",
      checkIds: [],
      where: subscription,
      detail: "named in the scope but not returned by Resource Graph: none of its clusters or identities were read",
      actionable: true,
    });
  }
  const all = [...lines.values()].sort((a, b) => Number(b.actionable) - Number(a.actionable) || a.where.localeCompare(b.where));
  return {
    evaluated,
    total,
    percent: total === 0 ? 100 : Math.floor((evaluated / total) * 1000) / 10,
    actionableGaps: all.filter((l) => l.actionable).length,
    missingSubscriptions: [...input.missingSubscriptions],
    notSelected: [...notSelected].sort(),
    gaps: all.slice(0, MAX_GAP_LINES),
    gapLines: all.length,
  };
}
