/**
 * Which suppression, if any, hides a finding at a given moment: the one matcher
 * the store (on every save and suppression change) and applySuppressions (the
 * CLI's filter stage) share. Expiry and lifting are part of matching, so an
 * expired or lifted suppression stops applying by itself.
 */
import type { Finding } from "../findings/model.js";
import { globMatches } from "./glob.js";
import type { Suppression, SuppressionPattern, SuppressionState } from "./model.js";

export function patternMatches(pattern: SuppressionPattern, finding: Finding): boolean {
  const r = finding.resource;
  const field = (value: string | undefined, ...candidates: Array<string | undefined>) =>
    value === undefined || candidates.some((c) => globMatches(value, c));
  return (
    field(pattern.subscription, r.subscriptionId) &&
    field(pattern.cluster, r.cluster, r.clusterId) &&
    field(pattern.namespace, r.namespace) &&
    field(pattern.name, r.name) &&
    field(pattern.identity, r.identityClientId, r.identityId)
  );
}

export function suppressionState(suppression: Pick<Suppression, "expiresAt" | "lifted">, now: Date): SuppressionState {
  if (suppression.lifted !== undefined) return "lifted";
  return Date.parse(suppression.expiresAt) > now.getTime() ? "active" : "expired";
}

export function isActive(suppression: Pick<Suppression, "expiresAt" | "lifted">, now: Date): boolean {
  return suppressionState(suppression, now) === "active";
}

/**
 * The suppression that applies, or undefined. When several apply, the one
 * lasting longest wins, so the finding stays hidden as long as any allows.
 */
export function matchSuppression(finding: Finding, suppressions: readonly Suppression[], now: Date): Suppression | undefined {
  let best: Suppression | undefined;
  for (const s of suppressions) {
    if (s.checkId !== finding.checkId || !isActive(s, now) || !patternMatches(s.pattern, finding)) continue;
    if (best === undefined || Date.parse(s.expiresAt) > Date.parse(best.expiresAt)) best = s;
  }
  return best;
}
