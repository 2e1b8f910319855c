/**
 * Runs the registered checks with fault isolation: a check that throws is
 * recorded and the others go on (one bad check must not sink a scan of 5,000
 * clusters). Findings are de-duplicated by id, so a finding is stored once.
 */
import type { ClusterSnapshot } from "../cluster/model.js";
import { CHECK_IDS, type CheckId, type Finding } from "../findings/index.js";
import { reportFor, type Check } from "./define.js";
import type { FleetView } from "./fleet-view.js";
import { CHECKS } from "./registry.js";
import { credentialKeyOf } from "./claims.js";
import { combineUsage, type ClusterUsage } from "./usage.js";
import { clusterCoverage } from "../coverage/cluster-coverage.js";
import { fleetCoverage } from "../coverage/fleet-coverage.js";
import type { ClusterCoverage, FleetCoverage } from "../coverage/model.js";

export interface CheckSelection {
  /** Run only these: check ids or families ("fic" or "fic.*"). Empty or absent: all. */
  include?: readonly string[];
  /** Skip these, same forms; wins over include. */
  skip?: readonly string[];
}

/** A check that threw. It produced no findings for this cluster (or this scan). */
export interface CheckFailure {
  checkId: CheckId;
  scope: "cluster" | "fleet";
  /** The cluster whose snapshot it was evaluating, for cluster-scope failures. */
  clusterId?: string;
  message: string;
}

export interface CheckRunResult {
  findings: Finding[];
  failures: CheckFailure[];
}

export interface ClusterCheckResult extends CheckRunResult {
  /** What this run evaluated completely on the cluster, and why not the rest. */
  coverage: ClusterCoverage;
}

export interface FleetCheckResult extends CheckRunResult {
  coverage: FleetCoverage;
}

export class UnknownCheckError extends Error {
  override readonly name = "UnknownCheckError";
  constructor(readonly unknown: readonly string[]) {
    super(`Unknown check id(s): ${unknown.join(", ")}. Known: ${CHECK_IDS.join(", ")}`);
  }
}

/**
 * The checks a selection keeps, in registry order. Throws UnknownCheckError for a
 * name that is neither a catalog id nor a family, so a typo in --check never
 * silently runs nothing.
 */
export function selectChecks(selection: CheckSelection = {}, checks: readonly Check[] = CHECKS): Check[] {
  const include = selection.include ?? [];
  const skip = selection.skip ?? [];
  const unknown = [...include, ...skip].filter((pattern) => !CHECK_IDS.some((id) => matches(pattern, id)));
  if (unknown.length > 0) throw new UnknownCheckError(unknown);
  return checks.filter(
    (check) => (include.length === 0 || include.some((p) => matches(p, check.id))) && !skip.some((p) => matches(p, check.id)),
  );
}

function matches(pattern: string, id: CheckId): boolean {
  const p = pattern.trim();
  if (p === id) return true;
  const family = p.endsWith(".*") ? p.slice(0, -2) : p;
  return !family.includes(".") && id.startsWith(`${family}.`);
}

/**
 * Runs every selected cluster-scope check on one snapshot.
 *
 * @example
 * const view = buildFleetView(inventory);
 * for (const snapshot of snapshots) {
 *   const { findings, failures } = runClusterChecks(view, snapshot);
 *   usages.push(summarizeClusterUsage(snapshot, claimedCredentials(findings))); // then drop the snapshot
 * }
 * const fleet = runFleetChecks(view, usages);
 */
export function runClusterChecks(
  view: FleetView,
  snapshot: ClusterSnapshot,
  selection: CheckSelection = {},
  checks: readonly Check[] = CHECKS,
): ClusterCheckResult {
  const selected = selectChecks(selection, checks);
  const result = run(selected, "cluster", snapshot.cluster.id, (check) =>
    check.evaluateCluster ? check.evaluateCluster(view, snapshot, reportFor(check)) : undefined,
  );
  const coverage = clusterCoverage({ checks, selected: idsOf(selected), failed: failedIds(result.failures), view, snapshot });
  return { ...result, coverage };
}

const idsOf = (checks: readonly Check[]): ReadonlySet<CheckId> => new Set(checks.map((c) => c.id));
const failedIds = (failures: readonly CheckFailure[]): ReadonlyMap<CheckId, string> => new Map(failures.map((f) => [f.checkId, f.message]));

/**
 * Runs every selected fleet-scope check once for the scan. A check that
 * another check supersedes (CheckMetadata.supersedes) stays silent about the
 * credentials a cluster already claimed.
 */
export function runFleetChecks(
  view: FleetView,
  usages: readonly ClusterUsage[],
  selection: CheckSelection = {},
  checks: readonly Check[] = CHECKS,
  /** The clusters a --cluster scan was limited to: only findings about identities that concern them are reported. */
  clusterIds: readonly string[] = [],
): FleetCheckResult {
  const usage = combineUsage(usages);
  const superseded = new Set(checks.flatMap((c) => c.supersedes ?? []));
  const unclaimed = (finding: Finding) => {
    const key = credentialKeyOf(finding.resource);
    return key === undefined || !usage.claimedCredentials.has(key);
  };
  const selected = selectChecks(selection, checks);
  const result = run(selected, "fleet", undefined, (check) => {
    const produced = check.evaluateFleet?.(view, usage, reportFor(check));
    return superseded.has(check.id) ? produced?.filter(unclaimed) : produced;
  });
  const coverage = fleetCoverage({ checks, selected: idsOf(selected), failed: failedIds(result.failures), view, usages, clusterIds });
  if (coverage.subjects === "all") return { ...result, coverage };
  // Other teams' identities are not this scan's business: report what concerns the clusters scanned.
  const subjects = new Set(coverage.subjects);
  const concerns = (f: Finding) => f.resource.identityClientId === undefined || subjects.has(f.resource.identityClientId.toLowerCase());
  return { ...result, findings: result.findings.filter(concerns), coverage };
}

function run(
  checks: readonly Check[],
  scope: CheckFailure["scope"],
  clusterId: string | undefined,
  evaluate: (check: Check) => Finding[] | undefined,
): CheckRunResult {
  const findings: Finding[] = [];
  const failures: CheckFailure[] = [];
  const ids = new Set<string>();
  for (const check of checks) {
    let produced: Finding[] | undefined;
    try {
      produced = evaluate(check);
    } catch (error) {
      failures.push({ checkId: check.id, scope, ...(clusterId !== undefined && { clusterId }), message: error instanceof Error ? error.message : String(error) });
      continue;
    }
    for (const finding of produced ?? []) {
      if (ids.has(finding.id)) continue;
      ids.add(finding.id);
      findings.push(finding);
    }
  }
  return { findings, failures };
}
