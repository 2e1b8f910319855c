/**
 * The governance rules every suppression obeys, whoever stores it: the API
 * (after its schema) and the store itself (so no caller of the store can skip
 * them). Each refusal is an InvalidParameterError naming the field: a 400.
 */
import type { CheckId } from "../findings/model.js";
import { InvalidParameterError } from "../store/errors.js";
import { namesSomething } from "./glob.js";
import type { SuppressionPattern } from "./model.js";

export const SUPPRESSION_LIMITS = {
  /** Characters of a reason: enough for a ticket reference and a paragraph, not a document. */
  reason: 1000,
  /** Characters of one pattern field: an ARM id fits. */
  patternField: 1024,
  /** SUPPRESSION_MAX_DAYS when unset. */
  defaultMaxDays: 90,
} as const;

/** Pattern fields that narrow a suppression to part of the fleet; subscription alone does not (one subscription can be the whole fleet). */
export const NARROWING_FIELDS = ["cluster", "namespace", "name", "identity"] as const;

const DAY_MS = 86_400_000;

export interface GovernedFields {
  checkId: CheckId;
  pattern: SuppressionPattern;
  fleetWide?: boolean;
  reason: string;
  expiresAt: string;
}

/** Throws the first rule the suppression breaks; `now` and `maxDays` bound its expiry. */
export function checkSuppressionRules(s: GovernedFields, now: Date, maxDays: number): void {
  if (s.checkId.startsWith("scan.")) {
    throw new InvalidParameterError("checkId", "is a scan.* check: it reports where the scanner could not look, which a suppression would hide rather than fix; it cannot be suppressed");
  }
  const reason = s.reason.trim();
  if (reason.length === 0) throw new InvalidParameterError("reason", "is required: say why this risk is accepted");
  if (reason.length > SUPPRESSION_LIMITS.reason) throw new InvalidParameterError("reason", `must be at most ${SUPPRESSION_LIMITS.reason} characters`);

  for (const field of [...NARROWING_FIELDS, "subscription"] as const) {
    const value = s.pattern[field];
    if (value !== undefined && value.length > SUPPRESSION_LIMITS.patternField) {
      throw new InvalidParameterError(field, `must be at most ${SUPPRESSION_LIMITS.patternField} characters`);
    }
  }
  const named = NARROWING_FIELDS.filter((f) => namesSomething(s.pattern[f]));
  const onlyStars = NARROWING_FIELDS.find((f) => s.pattern[f] !== undefined && !namesSomething(s.pattern[f]));
  if (s.fleetWide === true) {
    if (named.length > 0) throw new InvalidParameterError("fleetWide", `cannot be combined with ${named.join(", ")}: a fleet-wide suppression names no cluster, namespace, resource or identity`);
  } else if (named.length === 0) {
    throw new InvalidParameterError(
      onlyStars ?? "pattern",
      `${onlyStars !== undefined ? `"${s.pattern[onlyStars]}" names nothing: ` : ""}a suppression must name at least a cluster, a namespace, a resource (name) or an identity; ` +
        'to hide the check across the whole fleet, send "fleetWide": true (needs the app role Suppressions.FleetWide)',
    );
  }

  const expires = Date.parse(s.expiresAt);
  if (Number.isNaN(expires)) throw new InvalidParameterError("expiresAt", "must be an ISO 8601 date-time, e.g. 2026-12-31T00:00:00Z");
  if (expires <= now.getTime()) throw new InvalidParameterError("expiresAt", "must be in the future");
  const latest = now.getTime() + maxDays * DAY_MS;
  if (expires > latest) {
    throw new InvalidParameterError("expiresAt", `must be at most ${maxDays} days ahead (SUPPRESSION_MAX_DAYS), ${new Date(latest).toISOString()} at the latest: accepted risks are looked at again`);
  }
}
