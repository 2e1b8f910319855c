/**
 * The filter stage between a scan and its report (trivy's result.Filter):
 * every finding with the suppression that hides it, if any. Nothing is
 * dropped: a suppressed finding stays visible, marked.
 */
import type { Finding } from "../findings/model.js";
import { matchSuppression } from "./match.js";
import type { AppliedSuppression, Suppression } from "./model.js";

export type FilteredFinding<F extends Finding = Finding> = F & { suppression?: AppliedSuppression };

export function applySuppressions<F extends Finding>(findings: readonly F[], suppressions: readonly Suppression[], now: Date): Array<FilteredFinding<F>> {
  return findings.map((f) => {
    const s = matchSuppression(f, suppressions, now);
    return s === undefined ? f : { ...f, suppression: appliedSuppression(s) };
  });
}

/** What a finding keeps of the suppression hiding it. */
export function appliedSuppression(s: Suppression): AppliedSuppression {
  return { id: s.id, reason: s.reason, createdBy: s.createdBy, expiresAt: s.expiresAt };
}
