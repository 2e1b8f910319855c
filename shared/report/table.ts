import type { Finding } from "../findings/model.js";
import { colors, paintSeverity } from "./color.js";
import { findingLocation, sortFindings } from "./finding-order.js";
import { terminalSafe } from "./terminal-safe.js";

const COLUMNS = ["SEVERITY", "CHECK", "WHERE", "TITLE"] as const;
const GAP = "  ";
/** Below this the location and title get too narrow to read; the table still wraps rather than cuts. */
const MIN_TEXT_COLUMN = 12;

/**
 * A plain-text table for terminals. Values come from clusters, so escape
 * sequences and invisible characters are replaced (terminal-safe.ts). The
 * location and title wrap onto continuation lines at the terminal's width:
 * a cut location would hide which object to fix.
 */
export function formatFindingsTable(findings: readonly Finding[], width = 160, color = false): string {
  if (findings.length === 0) return "No findings.\n";
  const c = colors(color);
  const sorted = sortFindings(findings);
  const rows = sorted.map((f) => [f.severity, f.checkId, findingLocation(f), f.title].map((v) => terminalSafe(v)));
  const natural = COLUMNS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const severityWidth = natural[0] ?? 8;
  const checkWidth = Math.min(natural[1] ?? 34, 34);
  const room = Math.max(2 * MIN_TEXT_COLUMN, width - severityWidth - checkWidth - 3 * GAP.length);
  let whereWidth = natural[2] ?? MIN_TEXT_COLUMN;
  let titleWidth = natural[3] ?? MIN_TEXT_COLUMN;
  if (whereWidth + titleWidth > room) {
    // The location is what a person acts on: it gets the larger share.
    titleWidth = Math.max(MIN_TEXT_COLUMN, Math.min(titleWidth, Math.floor(room * 0.45)));
    whereWidth = Math.max(MIN_TEXT_COLUMN, room - titleWidth);
  }
  const widths = [severityWidth, checkWidth, whereWidth, titleWidth];

  const render = (cells: readonly string[], paint: (column: number, text: string) => string): string[] => {
    const wrapped = cells.map((cell, i) => wrap(cell, widths[i] ?? cell.length));
    const height = Math.max(...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let line = 0; line < height; line++) {
      const text = wrapped
        .map((w, i) => {
          const part = w[line] ?? "";
          const padded = i === wrapped.length - 1 ? part : part.padEnd(widths[i] ?? 0);
          return part === "" ? padded : paint(i, padded);
        })
        .join(GAP)
        .trimEnd();
      lines.push(text);
    }
    return lines;
  };
  const header = render(COLUMNS, (_i, t) => c.bold(t));
  const body = rows.flatMap((r, n) => render(r, (i, t) => (i === 0 ? paintSeverity(c, sorted[n]!.severity, t) : i === 1 ? c.dim(t) : t)));
  return [...header, ...body].join("\n") + "\n";
}

/**
 * Lines of at most `width` characters, broken after a space, "/", ":" or ","
 * when one is near enough, else mid-word: never cut. Counted in code points,
 * so a line break never splits a surrogate pair.
 */
export function wrap(value: string, width: number): string[] {
  let rest = Array.from(value);
  if (rest.length <= width) return [value];
  const lines: string[] = [];
  while (rest.length > width) {
    let cut = -1;
    for (let i = width; i > width / 2; i--) {
      const ch = rest[i - 1];
      if (ch === " " || ch === "/" || ch === ":" || ch === ",") {
        cut = i;
        break;
      }
    }
    if (cut === -1) cut = width;
    lines.push(rest.slice(0, cut).join("").trimEnd());
    rest = Array.from(rest.slice(cut).join("").trimStart());
  }
  if (rest.length > 0) lines.push(rest.join(""));
  return lines;
}
