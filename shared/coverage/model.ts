/**
 * What a scan evaluated completely, and why not the rest. A finding may be
 * resolved only by a scan that covered its check on its resource, and
 * re-graded only by one that also read what its severity depends on
 * (docs/store.md, "When a finding changes"). Plain JSON: coverage crosses
 * Durable activities and is stored beside each cluster's health.
 */
import type { CheckId, FindingResource } from "../findings/model.js";

/** Why a check was not evaluated (completely) on a resource. */
export const GAP_REASONS = [
  /** --check / --skip (or the HTTP request) left the check out. */
  "not-selected",
  /** The live probe is opt-in and PROBE_SCOPES does not name this cluster. */
  "probe-off",
  /** A setting limits what is read (LOG_TAIL_LINES=0, LOG_MAX_PODS_PER_CLUSTER reached). */
  "limited-by-setting",
  /** The API server (or run command) could not be reached. */
  "unreachable",
  /** A read was refused (401/403). */
  "forbidden",
  /** A read failed, timed out or stopped at a bound. */
  "read-failed",
  /** The check itself threw: a bug, reported as such. */
  "check-failed",
  /** The caller narrowed the scan (--subscription, --cluster): evidence from outside it is missing. */
  "narrowed",
  /** A subscription in scope was not returned by Resource Graph (role removed, subscription moved or disabled). */
  "subscription-not-returned",
] as const;
export type GapReason = (typeof GAP_REASONS)[number];

/** Gaps a person must act on: the others were asked for (narrowing, opt-in features, settings). */
export const ACTIONABLE_GAPS: ReadonlySet<GapReason> = new Set(["unreachable", "forbidden", "read-failed", "check-failed", "subscription-not-returned"]);

/**
 * complete: every finding the check could produce here was evaluated;
 * partial: all but the namespaces / client ids listed; none: nothing.
 */
export type CoverageState = "complete" | "partial" | "none";

export interface CheckCoverage {
  checkId: CheckId;
  state: CoverageState;
  /** False when something a finding's severity depends on was not read: findings may be seen and resolved, never re-graded. */
  graded: boolean;
  /** Set when state is not "complete" or graded is false. */
  reason?: GapReason;
  /** One line for a person, e.g. "list pods: 403 in namespace payments". */
  detail?: string;
  /** partial: namespaces not evaluated (findings in them, and cluster-wide findings, are not covered). */
  namespaces?: string[];
  /** partial: lower-cased client ids of identities not evaluated. */
  clientIds?: string[];
  /** partial: only the identities with these lower-cased client ids were evaluated (e.g. those a scanned cluster uses). */
  only?: string[];
  /** Of app registrations, only these (lower-cased client ids, looked up by this scan) were evaluated; absent: all. Whatever the state. */
  applications?: string[];
}

/** One cluster: every check of the catalog that evaluates clusters, in catalog order. */
export interface ClusterCoverage {
  checks: CheckCoverage[];
}

/**
 * Fleet-level checks (identities, app registrations, their credentials and
 * role assignments). Subjects are principals; a finding of a principal the
 * scan did not read, or one it read only in part, keeps its state.
 */
export interface FleetCoverage {
  /** One entry per check that evaluates the fleet, in catalog order. */
  checks: CheckCoverage[];
  /** Principals evaluated: every principal read, or (a --cluster scan) these lower-cased client ids only. */
  subjects: "all" | string[];
  /** Lower-cased subscriptions whose identities were read completely: their managed identities are subjects. */
  subscriptions: string[];
  /** Lower-cased client ids of app registrations looked up successfully: the app-registration subjects. */
  applications: string[];
  /** False unless every subscription of the tenant and every cluster was in the scan: tenant-wide findings (missing permissions) are judged only then. */
  wholeScope: boolean;
}

/** A subscription in scope that Resource Graph did not return. */
export interface MissingSubscription {
  subscriptionId: string;
  reason: GapReason;
}

/** Whether a cluster-level finding's check was covered on its resource; grading asks for severity inputs too. */
export function coversClusterFinding(coverage: ClusterCoverage | undefined, checkId: CheckId, resource: FindingResource, grading = false): boolean {
  const check = coverage?.checks.find((c) => c.checkId === checkId);
  return check !== undefined && coversResource(check, resource, grading);
}

/** Whether a fleet-level finding's check was covered on its subject. */
export function coversFleetFinding(coverage: FleetCoverage | undefined, checkId: CheckId, resource: FindingResource, grading = false): boolean {
  const check = coverage?.checks.find((c) => c.checkId === checkId);
  if (coverage === undefined || check === undefined || !coversResource(check, resource, grading)) return false;
  const clientId = resource.identityClientId?.toLowerCase();
  const subscription = resource.subscriptionId?.toLowerCase();
  // Of no identity: about a subscription (judged where it was read) or the whole tenant.
  if (clientId === undefined) return subscription !== undefined ? coverage.subscriptions.includes(subscription) : coverage.wholeScope;
  if (coverage.subjects !== "all" && !coverage.subjects.includes(clientId)) return false;
  if (resource.identityId?.toLowerCase().startsWith("app:")) return coverage.applications.includes(clientId);
  return subscription !== undefined && coverage.subscriptions.includes(subscription);
}

function coversResource(check: CheckCoverage, resource: FindingResource, grading: boolean): boolean {
  if (check.state === "none" || (grading && !check.graded)) return false;
  const clientId = resource.identityClientId?.toLowerCase();
  if (check.applications !== undefined && resource.identityId?.toLowerCase().startsWith("app:")) {
    if (clientId === undefined || !check.applications.includes(clientId)) return false;
  }
  if (check.state === "complete") return true;
  if (check.namespaces !== undefined && check.namespaces.length > 0) {
    if (resource.namespace === undefined || check.namespaces.includes(resource.namespace)) return false;
  }
  if (check.clientIds !== undefined && clientId !== undefined && check.clientIds.includes(clientId)) return false;
  if (check.only !== undefined && (clientId === undefined || !check.only.includes(clientId))) return false;
  return true;
}
