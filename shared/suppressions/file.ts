/**
 * Suppressions from an exceptions file (`wiscan.yaml`, `wiscan scan --config`):
 * each entry is a POST /api/suppressions body, validated by the same zod
 * schema (newSuppressionBody) and the same governance rules
 * (checkSuppressionRules: a reason, an expiry within SUPPRESSION_MAX_DAYS, no
 * fleet-wide hiding without `fleetWide: true`, no scan.* check), then matched
 * by the one matcher (applySuppressions). Only an entry already past its
 * expiry is not refused: it is returned apart, to be reported and not applied.
 */
import { InvalidParameterError } from "../store/errors.js";
import type { AppliedSuppression, Suppression } from "./model.js";
import { checkSuppressionRules } from "./rules.js";
import { newSuppressionBody } from "./schema.js";

/** Where a suppression comes from: the store (created through the API) or an exceptions file. */
export type SuppressionSource = "api" | "file";

export type SourcedSuppression = Suppression & { source: SuppressionSource };
export type SourcedAppliedSuppression = AppliedSuppression & { source: SuppressionSource };

/** An entry of the file that failed validation: which one, and which field. */
export class ExceptionEntryError extends Error {
  override readonly name = "ExceptionEntryError";
  constructor(
    /** 1-based position in the file's `exceptions` list. */
    readonly entry: number,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`exception ${entry}: ${field}: ${problem}`);
  }
}

export interface FileSuppressions {
  /** Valid and not yet expired: these apply. */
  active: SourcedSuppression[];
  /** Valid in every other way but past their expiry: reported, never applied. */
  expired: SourcedSuppression[];
}

const PATTERN_FIELDS = ["subscription", "cluster", "namespace", "name", "identity"] as const;

/**
 * The suppressions of a file's `exceptions` list. `file` names them (id
 * `<file>#<n>`, author the file). Throws ExceptionEntryError for the first
 * invalid entry.
 */
export function parseFileSuppressions(entries: readonly unknown[], file: string, now: Date, maxDays: number): FileSuppressions {
  const result: FileSuppressions = { active: [], expired: [] };
  entries.forEach((entry, index) => {
    const n = index + 1;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new ExceptionEntryError(n, "entry", "must be a mapping (checkId, reason, expiresAt and a pattern)");
    const parsed = newSuppressionBody.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      if (issue.code === "unrecognized_keys") {
        throw new ExceptionEntryError(n, issue.keys[0] ?? "entry", `is not a known field (known: ${Object.keys(newSuppressionBody.shape).join(", ")})`);
      }
      throw new ExceptionEntryError(n, String(issue.path[0] ?? "entry"), issue.message);
    }
    const b = parsed.data;
    const suppression: SourcedSuppression = {
      id: `${file}#${n}`,
      source: "file",
      checkId: b.checkId,
      pattern: Object.fromEntries(PATTERN_FIELDS.flatMap((k) => (b[k] === undefined ? [] : [[k, b[k]]]))),
      ...(b.fleetWide === true && { fleetWide: true }),
      reason: b.reason,
      createdBy: file,
      createdById: "",
      createdAt: now.toISOString(),
      expiresAt: new Date(Date.parse(b.expiresAt)).toISOString(),
    };
    const expired = Date.parse(suppression.expiresAt) <= now.getTime();
    try {
      // An expired entry is checked as of just before its expiry: every rule but "in the future" still holds.
      checkSuppressionRules(suppression, expired ? new Date(Date.parse(suppression.expiresAt) - 1) : now, maxDays);
    } catch (error) {
      if (error instanceof InvalidParameterError) throw new ExceptionEntryError(n, error.parameter, error.message.slice(error.parameter.length + 2));
      throw error;
    }
    (expired ? result.expired : result.active).push(suppression);
  });
  return result;
}

/** What a finding keeps of a file suppression hiding it: the applied suppression and where it came from. */
export function sourcedAppliedSuppression(s: SourcedSuppression): SourcedAppliedSuppression {
  return { id: s.id, reason: s.reason, createdBy: s.createdBy, expiresAt: s.expiresAt, source: s.source };
}
