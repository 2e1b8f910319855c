/**
 * `wiscan findings`: the same queries as GET /api/findings, against the same
 * store, for people who live in a terminal.
 */
import { environmentWithLocalSettings, loadConfig } from "../config/index.js";
import { InvalidParameterError, knownSubscriptionNames, parseFindingQuery, type StoredFinding } from "../store/index.js";
import { FINDINGS_OUTPUT_FORMATS as OUTPUTS, isOutputFormat } from "../report/formats.js";
import { wantColor } from "../report/color.js";
import { writeReport } from "../report/writers.js";
import { CHECKS } from "../checks/index.js";
import { TOOL_VERSION } from "./version.js";
import { CliError, EXIT } from "./exit-codes.js";
import { openStore } from "./store-access.js";
import { expiredLines, fileSuppressions, markException, readExceptionsFile } from "./exceptions-file.js";

export interface RawFindingsOptions {
  severity?: string;
  check?: string;
  subscription?: string;
  cluster?: string;
  namespace?: string;
  identity?: string;
  status?: string;
  since?: string;
  output?: string;
  limit?: string;
  demo?: boolean;
  config?: string;
}

export async function findingsAction(raw: RawFindingsOptions): Promise<void> {
  const query = (() => {
    try {
      return parseFindingQuery((name) => raw[name as keyof RawFindingsOptions] as string | undefined);
    } catch (error) {
      if (error instanceof InvalidParameterError) throw new CliError(EXIT.usage, `--${error.message}`);
      throw error;
    }
  })();
  const output = raw.output ?? (process.stdout.isTTY ? "table" : "json");
  if (!isOutputFormat(OUTPUTS, output)) throw new CliError(EXIT.usage, `--output must be one of ${OUTPUTS.join(", ")} (got "${output}")`);
  const limit = raw.limit === undefined ? 1000 : Number(raw.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(EXIT.usage, `--limit must be a whole number of at least 1 (got "${raw.limit}")`);

  const config = loadConfig(environmentWithLocalSettings(process.env));
  // The exceptions file hides what it hides in `wiscan scan`: stored open findings it matches are suppressed (source "file") here too.
  const file = readExceptionsFile(raw.config);
  const now = new Date();
  const exceptions = file === undefined ? undefined : fileSuppressions(file, now, config.suppressions.maxDays);
  if (file !== undefined && exceptions !== undefined) process.stderr.write(expiredLines(file, exceptions.expired));
  const active = exceptions?.active ?? [];
  const opened = await openStore(config, raw.demo === true);
  if (opened === undefined) {
    throw new CliError(EXIT.usage, "no findings store configured: set FINDINGS_STORAGE_ACCOUNT_URL or FINDINGS_STORAGE_CONNECTION_STRING, or use --demo for the demo's local store");
  }
  try {
    const findings: StoredFinding[] = [];
    let hiddenByFile = 0;
    // --status suppressed also lists open findings the file hides, so those are read too and sorted out here.
    const storeQuery = query.status === "suppressed" && active.length > 0 ? { ...query, status: "all" as const } : query;
    for await (const stored of opened.store.allFindings(storeQuery)) {
      const finding = markException(stored, active, now);
      const wanted = query.status === "all" || finding.status === query.status;
      if (!wanted) {
        if (finding !== stored) hiddenByFile++;
        continue;
      }
      findings.push(finding);
      if (findings.length >= limit) break;
    }
    process.stdout.write(
      writeReport(output, {
        findings,
        subscriptionNames: await knownSubscriptionNames(opened.store),
        checks: CHECKS,
        toolVersion: TOOL_VERSION,
        width: process.stdout.columns ?? 160,
        color: wantColor(process.stdout),
      }),
    );
    process.stderr.write(`${findings.length} ${query.status === "all" ? "" : `${query.status} `}findings${findings.length >= limit ? ` (first ${limit}; raise --limit for more)` : ""} from ${opened.description}\n`);
    if (hiddenByFile > 0) process.stderr.write(`${hiddenByFile} more hidden by exceptions in ${file?.path ?? ""} (--status suppressed lists them)\n`);
  } finally {
    await opened.close();
  }
}
