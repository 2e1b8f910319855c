/**
 * `wiscan checks`: the catalog, as kubescape's `list controls` and prowler's
 * `--list-checks` show theirs, so a person can pick --check values and map
 * findings to controls without reading the source.
 */
import { CHECKS } from "../checks/index.js";
import { colors, wantColor } from "../report/color.js";
import { highestSeverityOf } from "../report/severity.js";
import { wrap } from "../report/table.js";
import { CliError, EXIT } from "./exit-codes.js";

const OUTPUTS = ["table", "json"] as const;

export interface RawChecksOptions {
  output?: string;
}

export function checksAction(raw: RawChecksOptions): void {
  const output = raw.output ?? (process.stdout.isTTY ? "table" : "json");
  if (!(OUTPUTS as readonly string[]).includes(output)) throw new CliError(EXIT.usage, `--output must be one of ${OUTPUTS.join(", ")} (got "${output}")`);
  process.stdout.write(output === "json" ? checksJson() : checksTable(process.stdout.columns ?? 160, wantColor(process.stdout)));
}

export function checksJson(): string {
  const checks = CHECKS.map((c) => ({
    id: c.id,
    highestSeverity: highestSeverityOf(c.severityRule),
    severityRule: c.severityRule,
    title: c.title,
    controls: [...c.controls],
    risk: c.risk,
    remediation: c.remediation,
    docsUrl: c.docsUrl,
  }));
  return JSON.stringify({ checks }, null, 2) + "\n";
}

/** ID, SEVERITY (the rule, wrapped), TITLE and CONTROLS, wrapped to the terminal's width. */
export function checksTable(width: number, color = false): string {
  const c = colors(color);
  const idWidth = Math.max(...CHECKS.map((k) => k.id.length));
  const rest = Math.max(36, width - idWidth - 6);
  const severityWidth = Math.floor(rest * 0.4);
  const titleWidth = Math.floor(rest * 0.4);
  const controlsWidth = Math.max(8, rest - severityWidth - titleWidth);
  const widths = [idWidth, severityWidth, titleWidth, controlsWidth];
  const row = (cells: string[], paint: (t: string) => string = (t) => t) => {
    const wrapped = cells.map((cell, i) => wrap(cell, widths[i] ?? cell.length));
    const height = Math.max(...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, line) =>
      wrapped
        .map((w, i) => (i === wrapped.length - 1 ? (w[line] ?? "") : (w[line] ?? "").padEnd(widths[i] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
      .map(paint)
      .join("\n");
  };
  const lines = [row(["ID", "SEVERITY", "TITLE", "CONTROLS"], c.bold), ...CHECKS.map((k) => row([k.id, k.severityRule, k.title, k.controls.join(", ")]))];
  return lines.join("\n") + "\n";
}
