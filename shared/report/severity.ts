import { SEVERITIES, type Severity } from "../findings/model.js";

/** The most severe level a check's severity rule names ("high; medium when ..." → high). */
export function highestSeverityOf(severityRule: string): Severity {
  const named = SEVERITIES.filter((s) => new RegExp(`\\b${s}\\b`, "i").test(severityRule));
  return named[0] ?? "medium";
}

/** At or above the threshold (SEVERITIES runs from most to least severe). */
export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITIES.indexOf(severity) <= SEVERITIES.indexOf(threshold);
}
