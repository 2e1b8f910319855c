/**
 * Credentials a cluster's findings already explain. Fleet checks run after
 * every cluster and see only ClusterUsage summaries, so a cluster check that
 * supersedes a fleet check (CheckMetadata.supersedes) hands its credentials
 * over as plain strings: one problem, one finding.
 */
import type { Finding, FindingResource } from "../findings/index.js";
import type { Check } from "./define.js";
import { CHECKS } from "./registry.js";

/** "<lower-cased identity id>|<credential name>": ARM returns the same id with different casing from different APIs. */
export function credentialKey(identityId: string, credentialName: string): string {
  return `${identityId.toLowerCase()}|${credentialName}`;
}

/** The key of the credential a finding is about, if it is about one. */
export function credentialKeyOf(resource: FindingResource): string | undefined {
  return resource.identityId !== undefined && resource.credentialName !== undefined
    ? credentialKey(resource.identityId, resource.credentialName)
    : undefined;
}

/**
 * Credentials claimed by findings of checks that supersede another; sorted, unique.
 *
 * @example
 * const { findings } = runClusterChecks(view, snapshot);
 * const usage = summarizeClusterUsage(snapshot, claimedCredentials(findings));
 */
export function claimedCredentials(findings: readonly Finding[], checks: readonly Check[] = CHECKS): string[] {
  const claiming = new Set(checks.filter((c) => (c.supersedes ?? []).length > 0).map((c) => c.id));
  const keys = new Set<string>();
  for (const finding of findings) {
    if (!claiming.has(finding.checkId)) continue;
    const key = credentialKeyOf(finding.resource);
    if (key !== undefined) keys.add(key);
  }
  return [...keys].sort();
}
