/**
 * The scan command's options, validated into one typed value before anything
 * runs, so that a typo costs a usage error rather than a half-finished scan.
 */
import { selectChecks, UnknownCheckError } from "../checks/index.js";
import { CliError, EXIT } from "./exit-codes.js";
import { SCAN_OUTPUT_FORMATS as OUTPUT_FORMATS, type OutputFormat } from "../report/formats.js";
import { SEVERITIES, type Severity } from "../findings/model.js";

export { OUTPUT_FORMATS, type OutputFormat };
export const FAIL_ON = ["high", "medium", "low", "info"] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface RawScanOptions {
  subscription?: string[];
  cluster?: string[];
  concurrency?: string;
  output?: string;
  out?: string;
  html?: string;
  failOn?: string;
  minCoverage?: string;
  failOnIncomplete?: boolean;
  check?: string[];
  skipCheck?: string[];
  demo?: boolean;
  fleet?: string;
  /** Commander's --no-store: false when given. */
  store?: boolean;
  severity?: string[];
  quiet?: boolean;
  /** --config: the exceptions file (default: wiscan.yaml in the working directory, if there is one). */
  config?: string;
}

export interface ScanCommandOptions {
  subscriptions: string[];
  clusters: string[];
  concurrency?: number;
  output: OutputFormat;
  out?: string;
  html?: string;
  failOn?: FailOn;
  /** Exit 7 when the scan evaluated less than this percentage of its (cluster, check) pairs (docs/store.md, "Coverage"). */
  minCoverage?: number;
  /** Exit 7 when any gap needs a person: unreachable, forbidden, a failed read or check, a subscription not returned. */
  failOnIncomplete: boolean;
  /** Check ids or families ("fic", "fic.*"). */
  include: string[];
  skip: string[];
  demo: boolean;
  fleet?: string;
  /** Save findings to the configured store (or the demo's local one). */
  store: boolean;
  /**
   * --severity: only findings of these severities are output and counted by
   * --fail-on (as trivy's --severity); the store still gets every finding, so
   * a filter never resolves anything. Absent: all.
   */
  severities?: readonly Severity[];
  /** --quiet: results and errors only (no progress, summary or notes). */
  quiet: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseScanOptions(raw: RawScanOptions, stdoutIsTerminal: boolean): ScanCommandOptions {
  const problems: string[] = [];
  const subscriptions = raw.subscription ?? [];
  for (const s of subscriptions) if (!GUID.test(s)) problems.push(`--subscription "${s}" is not a subscription id (a GUID)`);

  let concurrency: number | undefined;
  if (raw.concurrency !== undefined) {
    concurrency = Number(raw.concurrency);
    if (!/^\d+$/.test(raw.concurrency) || concurrency < 1 || concurrency > 1000) {
      problems.push(`--concurrency must be a whole number from 1 to 1000 (got "${raw.concurrency}")`);
    }
  }
  // The demo is for reading: a table even when piped; a real scan piped somewhere is for tools: JSON.
  const output = raw.output ?? (stdoutIsTerminal || raw.demo === true ? "table" : "json");
  if (!isOneOf(OUTPUT_FORMATS, output)) problems.push(`--output must be one of ${OUTPUT_FORMATS.join(", ")} (got "${output}")`);
  if (raw.failOn !== undefined && !isOneOf(FAIL_ON, raw.failOn)) {
    problems.push(`--fail-on must be one of ${FAIL_ON.join(", ")} (got "${raw.failOn}")`);
  }
  let minCoverage: number | undefined;
  if (raw.minCoverage !== undefined) {
    minCoverage = Number(raw.minCoverage);
    if (!/^\d+(\.\d+)?$/.test(raw.minCoverage) || minCoverage > 100) problems.push(`--min-coverage must be a percentage from 0 to 100 (got "${raw.minCoverage}")`);
  }
  const include = checkIds("--check", raw.check ?? [], problems);
  const skip = checkIds("--skip-check", raw.skipCheck ?? [], problems);
  if (raw.fleet !== undefined && !raw.demo) problems.push("--fleet only applies with --demo");
  const severities = (raw.severity ?? []).flatMap((v) => v.split(",")).map((v) => v.trim().toLowerCase()).filter((v) => v !== "");
  for (const s of severities) if (!isOneOf(SEVERITIES, s)) problems.push(`--severity "${s}" is not one of ${SEVERITIES.join(", ")}`);

  if (problems.length > 0) throw new CliError(EXIT.usage, problems.join("\n"));
  return {
    subscriptions,
    clusters: raw.cluster ?? [],
    ...(concurrency !== undefined && { concurrency }),
    output: output as OutputFormat,
    ...(raw.out !== undefined && { out: raw.out }),
    ...(raw.html !== undefined && { html: raw.html }),
    ...(raw.failOn !== undefined && { failOn: raw.failOn as FailOn }),
    ...(minCoverage !== undefined && { minCoverage }),
    failOnIncomplete: raw.failOnIncomplete ?? false,
    include,
    skip,
    demo: raw.demo ?? false,
    store: raw.store ?? true,
    ...(severities.length > 0 && { severities: SEVERITIES.filter((s) => severities.includes(s)) }),
    quiet: raw.quiet ?? false,
    ...(raw.fleet !== undefined && { fleet: raw.fleet }),
  };
}

function checkIds(flag: string, values: string[], problems: string[]): string[] {
  const ids = values.flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v !== "");
  try {
    selectChecks({ include: ids });
  } catch (error) {
    if (!(error instanceof UnknownCheckError)) throw error;
    for (const id of error.unknown) problems.push(`${flag} "${id}" is not a check id or family (see docs/checks.md)`);
  }
  return ids;
}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}
