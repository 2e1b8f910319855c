/**
 * How suppressions appear in a finding's history: the suppression's who, why
 * and until when, copied onto each event, so the history stays readable even
 * without the suppression's own row.
 */
import type { HistorySuppression, StoredFinding, Suppression } from "./model.js";

/** The actor of events nobody performs (an expiry). */
export const SYSTEM_ACTOR = "wiscan";

export function historySuppression(s: Pick<Suppression, "id" | "createdBy" | "reason" | "expiresAt">): HistorySuppression {
  return { id: s.id, createdBy: s.createdBy, reason: s.reason, expiresAt: s.expiresAt };
}

/** The suppression recorded on a suppressed finding when it has expired by `now`; undefined otherwise. */
export function expiredSuppression(f: Pick<StoredFinding, "status" | "suppression">, now: Date): HistorySuppression | undefined {
  if (f.status !== "suppressed" || f.suppression === undefined) return undefined;
  return Date.parse(f.suppression.expiresAt) <= now.getTime() ? historySuppression(f.suppression) : undefined;
}
