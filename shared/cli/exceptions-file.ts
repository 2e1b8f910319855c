/**
 * The exceptions file of `wiscan scan`: `wiscan.yaml` in the working directory,
 * or the file given with --config. It holds exceptions (suppressions with the
 * store's rules, shared/suppressions/file.ts) and defaults for options, which
 * command-line options override. Any problem is a usage error (exit 2) on one
 * line naming the file, the entry and the field.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { selectChecks, UnknownCheckError } from "../checks/index.js";
import type { Finding } from "../findings/model.js";
import type { ReportedFinding } from "../report/model.js";
import { matchSuppression } from "../suppressions/match.js";
import { ExceptionEntryError, parseFileSuppressions, sourcedAppliedSuppression, type SourcedSuppression } from "../suppressions/file.js";
import { CliError, EXIT } from "./exit-codes.js";
import { FAIL_ON, OUTPUT_FORMATS, type RawScanOptions } from "./scan-options.js";

export const DEFAULT_EXCEPTIONS_FILE = "wiscan.yaml";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const stringList = (what: string) => z.union([z.string(), z.array(z.string(), { error: `must be a list of ${what}` })], { error: `must be a list of ${what}` });

const fileSchema = z.strictObject(
  {
    defaults: z
      .strictObject(
        {
          subscriptions: stringList("subscription ids").optional(),
          checks: stringList("check ids or families").optional(),
          failOn: z.enum(FAIL_ON, { error: `must be one of ${FAIL_ON.join(", ")}` }).optional(),
          output: z.enum(OUTPUT_FORMATS, { error: `must be one of ${OUTPUT_FORMATS.join(", ")}` }).optional(),
        },
        { error: "must be a mapping (subscriptions, checks, failOn, output)" },
      )
      .optional(),
    exceptions: z.array(z.unknown(), { error: "must be a list of exceptions" }).optional(),
  },
  { error: "must be a mapping with defaults and exceptions" },
);

export interface ExceptionsFile {
  /** As the user named it (or wiscan.yaml), for messages. */
  path: string;
  defaults: { subscriptions?: string[]; checks?: string[]; failOn?: string; output?: string };
  exceptions: readonly unknown[];
}

/** The file --config names (it must exist), or wiscan.yaml in `cwd` if there is one; undefined otherwise. */
export function readExceptionsFile(config: string | undefined, cwd = process.cwd()): ExceptionsFile | undefined {
  const path = config ?? DEFAULT_EXCEPTIONS_FILE;
  const full = resolve(cwd, path);
  if (config === undefined && !existsSync(full)) return undefined;
  let text: string;
  try {
    text = readFileSync(full, "utf8");
  } catch (error) {
    throw new CliError(EXIT.usage, `${path}: cannot read the exceptions file (--config): ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text) ?? {};
  } catch (error) {
    throw new CliError(EXIT.usage, `${path}: not valid YAML: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`);
  }
  const parsed = fileSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""].join(".") : issue.path.join(".") || "file";
    const problem = issue.code === "unrecognized_keys" ? "is not a known field (known: defaults.subscriptions, defaults.checks, defaults.failOn, defaults.output, exceptions)" : issue.message;
    throw new CliError(EXIT.usage, `${path}: ${where}: ${problem}`);
  }
  const d = parsed.data.defaults ?? {};
  const list = (v: string | string[] | undefined) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(",")).map((s) => s.trim()).filter((s) => s !== ""));
  const defaults: ExceptionsFile["defaults"] = {
    ...(d.subscriptions !== undefined && { subscriptions: list(d.subscriptions)! }),
    ...(d.checks !== undefined && { checks: list(d.checks)! }),
    ...(d.failOn !== undefined && { failOn: d.failOn }),
    ...(d.output !== undefined && { output: d.output }),
  };
  for (const s of defaults.subscriptions ?? []) if (!GUID.test(s)) throw new CliError(EXIT.usage, `${path}: defaults.subscriptions: "${s}" is not a subscription id (a GUID)`);
  try {
    selectChecks({ include: defaults.checks ?? [] });
  } catch (error) {
    if (!(error instanceof UnknownCheckError)) throw error;
    throw new CliError(EXIT.usage, `${path}: defaults.checks: "${error.unknown[0]}" is not a check id or family (see docs/checks.md)`);
  }
  return { path, defaults, exceptions: parsed.data.exceptions ?? [] };
}

/** The command line over the file's defaults: an option given wins. */
export function withFileDefaults(raw: RawScanOptions, file: ExceptionsFile | undefined): RawScanOptions {
  if (file === undefined) return raw;
  const d = file.defaults;
  return {
    ...raw,
    ...(raw.subscription === undefined && d.subscriptions !== undefined && { subscription: d.subscriptions }),
    ...(raw.check === undefined && d.checks !== undefined && { check: d.checks }),
    ...(raw.failOn === undefined && d.failOn !== undefined && { failOn: d.failOn }),
    ...(raw.output === undefined && d.output !== undefined && { output: d.output }),
  };
}

/** The file's exceptions, validated against the store's rules; an invalid entry is exit 2 naming the file, the entry and the field. */
export function fileSuppressions(file: ExceptionsFile, now: Date, maxDays: number): { active: SourcedSuppression[]; expired: SourcedSuppression[] } {
  try {
    return parseFileSuppressions(file.exceptions, file.path, now, maxDays);
  } catch (error) {
    if (error instanceof ExceptionEntryError) throw new CliError(EXIT.usage, `${file.path}: ${describeEntry(file.exceptions[error.entry - 1], error.entry)}: ${error.field}: ${error.problem}`);
    throw error;
  }
}

/** One line per expired exception: it no longer hides anything. */
export function expiredLines(file: ExceptionsFile, expired: readonly SourcedSuppression[]): string {
  return expired
    .map((s) => {
      const n = Number(s.id.slice(s.id.lastIndexOf("#") + 1));
      return `warning: ${file.path}: ${describeEntry(file.exceptions[n - 1], n)} expired on ${s.expiresAt} and is not applied: renew it (a new expiresAt) or fix the finding\n`;
    })
    .join("");
}

/** The filter stage for runScanCommand: each finding an active exception hides is marked suppressed (source "file"). */
export function exceptionsFilter(active: readonly SourcedSuppression[], now: Date): (findings: readonly Finding[]) => Promise<readonly ReportedFinding[]> {
  return async (findings) => findings.map((f) => markException(f, active, now));
}

/** The finding marked suppressed (source "file") when an active exception hides it and it is open; unchanged otherwise. */
export function markException<F extends ReportedFinding>(f: F, active: readonly SourcedSuppression[], now: Date): F {
  if (f.status !== undefined && f.status !== "open") return f;
  const s = matchSuppression(f, active, now) as SourcedSuppression | undefined;
  return s === undefined ? f : { ...f, status: "suppressed" as const, suppression: sourcedAppliedSuppression(s) };
}

function describeEntry(entry: unknown, n: number): string {
  const checkId = typeof entry === "object" && entry !== null && typeof (entry as { checkId?: unknown }).checkId === "string" ? (entry as { checkId: string }).checkId : undefined;
  return `exception #${n}${checkId !== undefined ? ` (${checkId})` : ""}`;
}
