import type { Finding } from "../findings/model.js";
import { findingLocation, sortFindings } from "./finding-order.js";

const COLUMNS = ["SEVERITY", "CHECK", "WHERE", "TITLE"] as const;

/**
 * A plain-text table for terminals. Values come from clusters, so control
 * characters are replaced: a crafted name must not move the cursor or fake lines.
 */
export function formatFindingsTable(findings: readonly Finding[], width = 160): string {
  if (findings.length === 0) return "No findings.\n";
  const rows = sortFindings(findings).map((f) => [f.severity, f.checkId, findingLocation(f), f.title].map(printable));
  const maxWhere = Math.max(20, width - 8 - 34 - 40 - 6);
  const limits = [8, 34, maxWhere, 1000];
  const widths = COLUMNS.map((c, i) => Math.min(limits[i] ?? 1000, Math.max(c.length, ...rows.map((r) => (r[i] ?? "").length))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => clip(cell, widths[i] ?? cell.length).padEnd(i === cells.length - 1 ? 0 : (widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return [line(COLUMNS), ...rows.map(line)].join("\n") + "\n";
}

function printable(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, "?");
}

function clip(value: string, width: number): string {
  return value.length <= width ? value : `${value.slice(0, Math.max(0, width - 1))}…`;
}
