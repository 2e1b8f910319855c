/** Suppressions about to expire: the digest lists them so someone renews or fixes before the findings reappear. */
import { isActive } from "./match.js";
import type { Suppression } from "./model.js";

/** How far ahead the digest warns of expiring suppressions. */
export const EXPIRY_NOTICE_DAYS = 7;

/** Active suppressions expiring within `days` of `now`, soonest first. */
export function expiringWithin(suppressions: readonly Suppression[], now: Date, days = EXPIRY_NOTICE_DAYS): Suppression[] {
  const until = now.getTime() + days * 86_400_000;
  return suppressions
    .filter((s) => isActive(s, now) && Date.parse(s.expiresAt) <= until)
    .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt) || a.id.localeCompare(b.id));
}
