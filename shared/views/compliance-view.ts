/** Compliance as people read it: a score with its colour, and one row per subscription or cluster. */
import type { StoredClusterHealth, StoredFinding } from "../store/model.js";
import { scorePercent, type ScoreCount } from "../digest/compliance.js";
import type { ComplianceRowView, ScoreView } from "../digest/model.js";
import { clip } from "../digest/text-bounds.js";

export function scoreView(score: ScoreCount): ScoreView {
  const percent = scorePercent(score);
  if (percent === undefined) return { text: "n/a", percent: 0, known: false, workloads: 0, compliant: 0, color: "#5f6368" };
  return {
    text: `${percent}%`,
    percent,
    known: true,
    workloads: score.workloads,
    compliant: score.compliant,
    color: percent >= 90 ? "#1e7e34" : percent >= 70 ? "#b85c00" : "#b3261e",
  };
}

export function complianceRow(name: string, subscription: string, score: ScoreCount, open: readonly StoredFinding[], status: string): ComplianceRowView {
  const tally = { open: open.length, high: open.filter((f) => f.severity === "high").length, controls: open.flatMap((f) => f.controls) };
  return complianceRowOf(name, subscription, score, tally, status);
}

/** The same row from counts kept in the store (shared/store/counts.ts) instead of the findings themselves. */
export function complianceRowOf(name: string, subscription: string, score: ScoreCount, tally: { open: number; high: number; controls: readonly string[] }, status: string): ComplianceRowView {
  return {
    name,
    subscription,
    score: scoreView(score),
    open: tally.open,
    high: tally.high,
    controls: clip([...new Set(tally.controls)].sort().join(", "), "text"),
    status,
  };
}

export function clusterStatus(h: StoredClusterHealth): string {
  if (!h.findingsSaved) return "findings not saved";
  return h.status === "ok" ? "scanned" : h.status;
}

/** Worst first: scored rows before unscored, lowest score, most high, most open, then by name. */
export function worstFirst(a: ComplianceRowView, b: ComplianceRowView): number {
  return Number(b.score.known) - Number(a.score.known) || a.score.percent - b.score.percent || b.high - a.high || b.open - a.open || a.name.localeCompare(b.name);
}
