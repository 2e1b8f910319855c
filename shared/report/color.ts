/**
 * Colour for people at a terminal, never for files, pipes or CI logs, and
 * never when NO_COLOR is set (no-color.org: present and not empty). FORCE_COLOR
 * is not honoured on purpose: results are read by tools too often.
 */
import pc from "picocolors";
import type { Severity } from "../findings/model.js";

export type Colors = ReturnType<typeof pc.createColors>;

export function wantColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const noColor = env["NO_COLOR"];
  if (noColor !== undefined && noColor !== "") return false;
  if (env["TERM"] === "dumb") return false;
  return stream.isTTY === true;
}

export function colors(enabled: boolean): Colors {
  return pc.createColors(enabled);
}

export function paintSeverity(c: Colors, severity: Severity, text: string): string {
  switch (severity) {
    case "high": return c.bold(c.red(text));
    case "medium": return c.yellow(text);
    case "low": return c.cyan(text);
    case "info": return c.dim(text);
  }
}
