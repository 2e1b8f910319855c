/**
 * Which suppression, if any, applies to a finding at a given moment. Expiry is
 * part of matching, so an expired suppression stops applying by itself.
 */
import type { Finding } from "../findings/model.js";
import type { Suppression, SuppressionPattern } from "./model.js";

/** Case-insensitive glob: "*" matches any run of characters, everything else literally. */
export function globMatches(pattern: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "is").test(value);
}

export function patternMatches(pattern: SuppressionPattern, finding: Finding): boolean {
  const r = finding.resource;
  const cluster = pattern.cluster;
  return (
    (pattern.subscription === undefined || globMatches(pattern.subscription, r.subscriptionId)) &&
    (cluster === undefined || globMatches(cluster, r.cluster) || globMatches(cluster, r.clusterId)) &&
    (pattern.namespace === undefined || globMatches(pattern.namespace, r.namespace)) &&
    (pattern.name === undefined || globMatches(pattern.name, r.name))
  );
}

export function isActive(suppression: Suppression, now: Date): boolean {
  return Date.parse(suppression.expiresAt) > now.getTime();
}

/**
 * The suppression that applies, or undefined. When several apply, the one
 * lasting longest wins, so the finding stays suppressed as long as any allows.
 */
export function applicableSuppression(
  finding: Finding,
  suppressions: readonly Suppression[],
  now: Date,
): Suppression | undefined {
  let best: Suppression | undefined;
  for (const s of suppressions) {
    if (s.checkId !== finding.checkId || !isActive(s, now) || !patternMatches(s.pattern, finding)) continue;
    if (best === undefined || Date.parse(s.expiresAt) > Date.parse(best.expiresAt)) best = s;
  }
  return best;
}
