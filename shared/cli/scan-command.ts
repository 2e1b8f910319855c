/**
 * `wiscan scan`: run the engine, then write results where the options say.
 * Results go to stdout (or --out), progress and the summary to stderr, so that
 * `wiscan scan --output json | jq` works.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { scanFleet, ScanError, type ScanDependencies, type ScanOutcome } from "../engine/index.js";
import { SEVERITIES, type Finding } from "../findings/model.js";
import { renderHtmlReport } from "../report/index.js";
import { writeReport } from "../report/writers.js";
import { colors, paintSeverity, wantColor } from "../report/color.js";
import { statusOf, type ReportedFinding } from "../report/model.js";
import { CHECKS } from "../checks/index.js";
import { CliError, EXIT, type ExitCode } from "./exit-codes.js";
import { scanProgress } from "./progress.js";
import type { FailOn, ScanCommandOptions } from "./scan-options.js";
import type { ScanCoverageSummary } from "../coverage/index.js";
import { TOOL_VERSION } from "./version.js";

export interface ScanRunContext {
  dependencies: ScanDependencies;
  trigger: "cli" | "demo";
  concurrency: number;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WriteStream;
  /**
   * The filter stage between the scan and its report (suppressions, from the
   * store or an exceptions file): marks the findings it hides. Absent: every
   * finding is open.
   */
  filter?: (findings: readonly Finding[]) => Promise<readonly ReportedFinding[]>;
}

export interface ScanCommandResult {
  outcome: ScanOutcome;
  /** The findings as reported: after the filter stage and --severity. */
  reported: readonly ReportedFinding[];
  exitCode: ExitCode;
  /** Files written, by purpose, for the closing message. */
  files: Array<{ purpose: string; path: string }>;
}

export async function runScanCommand(options: ScanCommandOptions, context: ScanRunContext): Promise<ScanCommandResult> {
  const progress = scanProgress(context.stderr, { quiet: options.quiet });
  let outcome: ScanOutcome;
  try {
    outcome = await scanFleet(context.dependencies, {
      scope: { subscriptions: options.subscriptions, managementGroups: [], clusters: options.clusters },
      concurrency: options.concurrency ?? context.concurrency,
      trigger: context.trigger,
      checks: { include: options.include, skip: options.skip },
      onClusterDone: (done, total, findings) => progress.update(done, total, findings),
    });
  } catch (error) {
    if (error instanceof ScanError) {
      throw new CliError(error.code === "no-credential" ? EXIT.noCredential : error.code === "nothing-to-scan" ? EXIT.nothingToScan : EXIT.usage, error.message);
    }
    throw error;
  } finally {
    progress.finish();
  }

  const files: ScanCommandResult["files"] = [];
  const filtered: readonly ReportedFinding[] = context.filter !== undefined ? await context.filter(outcome.findings) : outcome.findings;
  const reported = options.severities === undefined ? filtered : filtered.filter((f) => options.severities?.includes(f.severity));
  const toTerminal = options.out === undefined;
  const rendered = writeReport(options.output, {
    scan: outcome.scan,
    fleetCoverage: outcome.fleetCoverage,
    // The table has no status column: a suppressed finding says so in its title.
    findings: options.output === "table" ? reported.map(markSuppressedInTitle) : reported,
    checks: CHECKS,
    toolVersion: TOOL_VERSION,
    ...(options.failOn !== undefined && { failOn: options.failOn }),
    width: toTerminal ? (context.stdout.columns ?? 160) : 160,
    color: toTerminal && wantColor(context.stdout),
  });
  if (options.out !== undefined) {
    await writeFileCreatingDir(options.out, rendered);
    files.push({ purpose: `findings (${options.output})`, path: options.out });
  } else {
    context.stdout.write(rendered);
  }
  if (options.html !== undefined) {
    await writeFileCreatingDir(options.html, renderHtmlReport(outcome.scan, reported));
    files.push({ purpose: "HTML report", path: options.html });
  }
  if (!options.quiet) {
    context.stderr.write(summaryLine(outcome, colors(wantColor(context.stderr))));
    if (options.severities !== undefined) context.stderr.write(`${reported.length} shown (--severity ${options.severities.join(",")})\n`);
    context.stderr.write(coverageLines(outcome.scan.coverage));
  }
  for (const failure of outcome.checkFailures) {
    context.stderr.write(`warning: check ${failure.checkId} failed on one cluster and was skipped there: ${failure.message}\n`);
  }
  const counted = reported.filter((f) => statusOf(f) === "open");
  return { outcome, reported, exitCode: exitCodeFor(counted, options, outcome.scan.coverage), files };
}

/**
 * The gates in order: a scan that did not look enough (7) says nothing about
 * its findings, so it wins over findings at the threshold (5). `findings`
 * are those that count: the caller leaves out the suppressed ones.
 */
export function exitCodeFor(
  findings: readonly Finding[],
  gates: { failOn?: FailOn; minCoverage?: number; failOnIncomplete?: boolean },
  coverage: ScanCoverageSummary | undefined,
): ExitCode {
  if (coverage !== undefined) {
    if (gates.minCoverage !== undefined && coverage.percent < gates.minCoverage) return EXIT.incomplete;
    if (gates.failOnIncomplete === true && coverage.actionableGaps > 0) return EXIT.incomplete;
  }
  if (gates.failOn === undefined) return EXIT.ok;
  const threshold = SEVERITIES.indexOf(gates.failOn);
  return findings.some((f) => SEVERITIES.indexOf(f.severity) <= threshold) ? EXIT.findingsAtThreshold : EXIT.ok;
}

/** What the scan did not check, and why, in a few lines: a clean result means nothing without it. */
export function coverageLines(coverage: ScanCoverageSummary | undefined): string {
  if (coverage === undefined) return "";
  const head = `coverage: ${coverage.percent}% (${coverage.evaluated} of ${coverage.total} checks of clusters and the fleet evaluated completely)`;
  if (coverage.gapLines === 0 && coverage.notSelected.length === 0) return `${head}\n`;
  const lines = [`${head}; not covered (findings there keep their state):`];
  if (coverage.notSelected.length > 0) lines.push(`  not selected: ${coverage.notSelected.join(", ")}`);
  for (const gap of coverage.gaps.slice(0, 10)) {
    const checks = gap.checkIds.length > 3 ? `${gap.checkIds.slice(0, 3).join(", ")} and ${gap.checkIds.length - 3} more` : gap.checkIds.join(", ");
    lines.push(`  ${gap.actionable ? "!" : "-"} ${gap.where}: ${gap.reason}${checks ? ` (${checks})` : ""}: ${gap.detail}`);
  }
  if (coverage.gapLines > 10) lines.push(`  ... and ${coverage.gapLines - 10} more (see the JSON report's scan.coverage)`);
  return lines.join("\n") + "\n";
}

function markSuppressedInTitle(f: ReportedFinding): ReportedFinding {
  if (statusOf(f) !== "suppressed") return f;
  return { ...f, title: `[suppressed${f.suppression !== undefined ? ` until ${f.suppression.expiresAt.slice(0, 10)}` : ""}] ${f.title}` };
}

function summaryLine({ scan }: ScanOutcome, c = colors(false)): string {
  const s = scan.counts.bySeverity;
  const unscanned = scan.counts.clusters - scan.counts.clustersScanned;
  return (
    `\n${scan.counts.findings} findings (${paintSeverity(c, "high", `${s.high} high`)}, ${paintSeverity(c, "medium", `${s.medium} medium`)}, ${paintSeverity(c, "low", `${s.low} low`)}, ${paintSeverity(c, "info", `${s.info} info`)}) ` +
    `in ${scan.counts.clusters} clusters across ${scan.subscriptions.length} subscriptions` +
    `${unscanned > 0 ? `; ${unscanned} ${unscanned === 1 ? "cluster" : "clusters"} could not be scanned (see scan.* findings)` : ""}; ` +
    `${(scan.durationMs / 1000).toFixed(1)} s, ${totalRequests(scan.requests)} requests.\n`
  );
}

function totalRequests(r: ScanOutcome["scan"]["requests"]): number {
  return r.resourceGraph + r.arm + r.graph + r.kubernetes;
}

async function writeFileCreatingDir(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content, "utf8");
}
