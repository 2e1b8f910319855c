/**
 * Which checks a scan evaluated completely on one cluster, worked out from
 * what each check reads (CheckMetadata.reads) and what the snapshot and the
 * fleet view could and could not see. Pure: the runner calls it beside the checks.
 */
import type { ClusterSnapshot, CollectionError } from "../cluster/model.js";
import { IDENTITY_BINDINGS_READ } from "../cluster/identity-bindings.js";
import type { Check, CheckInput } from "../checks/define.js";
import { clusterFacts, WORKLOAD_RESOURCES } from "../checks/cluster-facts.js";
import { lookupFailed, type FleetView } from "../checks/fleet-view.js";
import { namedClientIds } from "../checks/workload-identity.js";
import type { CheckId } from "../findings/model.js";
import type { Inventory } from "../inventory/model.js";
import type { CheckCoverage, ClusterCoverage, GapReason } from "./model.js";

/** What one input says about this cluster: all seen, nothing, or all but some subjects. */
type InputSight =
  | { state: "complete"; applications?: string[] }
  | { state: "none"; reason: GapReason; detail: string }
  | { state: "partial"; reason: GapReason; detail: string; namespaces?: string[]; clientIds?: string[]; applications?: string[] };

export interface ClusterCoverageInput {
  checks: readonly Check[];
  selected: ReadonlySet<CheckId>;
  /** Checks that threw on this snapshot. */
  failed: ReadonlyMap<CheckId, string>;
  view: FleetView;
  snapshot: ClusterSnapshot;
}

/** Why an incomplete inventory is incomplete, in the terms of a coverage gap. */
export function inventoryGapReason(inventory: Inventory): GapReason {
  if ((inventory.missingSubscriptions ?? []).length > 0) return "subscription-not-returned";
  return inventory.partialScope ? "narrowed" : "read-failed";
}

/** Coverage of the checks that evaluate clusters; fleet-only checks are in FleetCoverage. */
export function clusterCoverage(input: ClusterCoverageInput): ClusterCoverage {
  const sight = inputSight(input);
  return { checks: input.checks.filter((check) => check.evaluateCluster !== undefined).map((check) => checkCoverage(check, input, sight)) };
}

function checkCoverage(check: Check, input: ClusterCoverageInput, sight: (i: CheckInput) => InputSight): CheckCoverage {
  if (!input.selected.has(check.id)) return { checkId: check.id, state: "none", graded: false, reason: "not-selected", detail: "left out by the check selection" };
  const failure = input.failed.get(check.id);
  if (failure !== undefined) return { checkId: check.id, state: "none", graded: false, reason: "check-failed", detail: failure.slice(0, 300) };
  return combine(check.id, check.reads.map(sight), (check.gradedBy ?? []).map(sight));
}

/**
 * The weakest of a check's inputs decides; partial inputs add up their gaps.
 * `applications` is the reach of the check, not a gap: app registrations are
 * read only when a service account names them.
 */
export function combine(checkId: CheckId, reads: readonly InputSight[], grades: readonly InputSight[]): CheckCoverage {
  const gradeGap = grades.find((g): g is Exclude<InputSight, { state: "complete" }> => g.state !== "complete");
  const none = reads.find((r): r is Extract<InputSight, { state: "none" }> => r.state === "none");
  if (none !== undefined) return { checkId, state: "none", graded: false, reason: none.reason, detail: none.detail };
  const appLists = reads.map((r) => ("applications" in r ? r.applications : undefined)).filter((a): a is string[] => a !== undefined);
  const applications = appLists.length === 0 ? undefined : appLists.reduce((a, b) => a.filter((x) => b.includes(x)));
  const reach = applications ? { applications } : {};
  const partial = reads.filter((r): r is Extract<InputSight, { state: "partial" }> => r.state === "partial");
  if (partial.length === 0) {
    return gradeGap === undefined
      ? { checkId, state: "complete", graded: true, ...reach }
      : { checkId, state: "complete", graded: false, reason: gradeGap.reason, detail: `severity not re-graded: ${gradeGap.detail}`, ...reach };
  }
  const union = (pick: (p: (typeof partial)[number]) => string[] | undefined) => {
    const values = partial.flatMap((p) => pick(p) ?? []);
    return values.length > 0 ? [...new Set(values)].sort() : undefined;
  };
  const namespaces = union((p) => p.namespaces);
  const clientIds = union((p) => p.clientIds);
  return {
    checkId,
    state: "partial",
    graded: gradeGap === undefined,
    reason: partial[0]!.reason,
    detail: partial.map((p) => p.detail).join("; "),
    ...(namespaces && { namespaces }),
    ...(clientIds && { clientIds }),
    ...reach,
  };
}

function inputSight(input: ClusterCoverageInput): (i: CheckInput) => InputSight {
  const { snapshot, view } = input;
  const facts = clusterFacts(snapshot);
  const memo = new Map<CheckInput, InputSight>();
  const kube = (resources: readonly string[]): InputSight => {
    if (snapshot.accessPath === "none" || snapshot.errors.some((e) => e.kind === "unreachable" || e.kind === "unauthorized")) {
      const first = snapshot.errors.find((e) => e.kind === "unreachable" || e.kind === "unauthorized") ?? snapshot.errors[0];
      return { state: "none", reason: first?.kind === "unauthorized" ? "forbidden" : "unreachable", detail: first ? describe(first) : "the API server was not reached" };
    }
    const wanted = new Set(resources);
    const errors = snapshot.errors.filter((e) => wanted.has(e.resource.toLowerCase()));
    if (errors.length === 0) return { state: "complete" };
    const clusterWide = errors.find((e) => e.namespace === undefined || e.namespace === "");
    if (clusterWide !== undefined) return { state: "none", reason: reasonOf(clusterWide), detail: describe(clusterWide) };
    return { state: "partial", reason: reasonOf(errors[0]!), detail: describe(errors[0]!), namespaces: [...new Set(errors.map((e) => e.namespace!))] };
  };
  const named = namedClientIds(snapshot);
  const compute = (i: CheckInput): InputSight => {
    switch (i) {
      case "workloads":
        return kube(WORKLOAD_RESOURCES);
      case "namespaces":
      case "serviceaccounts":
      case "pods":
      case "services":
      case "deployments":
      case "mutatingwebhookconfigurations":
      case "clusterroles":
      case "clusterrolebindings":
        return kube([i]);
      case "pods/log": {
        const logs = kube(["pods/log", "pods"]);
        if (logs.state !== "complete") return logs;
        if (snapshot.logReading === "off") return { state: "none", reason: "limited-by-setting", detail: "log reading is off (LOG_TAIL_LINES or LOG_MAX_PODS_PER_CLUSTER is 0)" };
        if (snapshot.logReading === "capped") return { state: "none", reason: "limited-by-setting", detail: "more workloads than LOG_MAX_PODS_PER_CLUSTER: some logs were not read" };
        return logs;
      }
      case "identity-bindings": {
        const failure = snapshot.errors.find((e) => e.resource === IDENTITY_BINDINGS_READ.resource);
        // Not read because no pod opts in: nothing the checks could report was left unjudged.
        return failure === undefined ? { state: "complete" } : { state: "none", reason: reasonOf(failure), detail: describe(failure) };
      }
      case "probe":
        return snapshot.probeResults === undefined
          ? { state: "none", reason: "probe-off", detail: "the live probe is opt-in (PROBE_SCOPES) and does not name this cluster" }
          : { state: "complete" };
      case "principals": {
        const unknown = named.filter((id) => !view.principalByClientId.has(id) && (lookupFailed(view, id) || !view.inventory.complete));
        if (unknown.length === 0) return { state: "complete" };
        const failed = unknown.some((id) => lookupFailed(view, id));
        return {
          state: "partial",
          reason: failed ? "read-failed" : inventoryGapReason(view.inventory),
          detail: failed ? "the Microsoft Graph look-up of a client id failed" : "identities named here were not found in the subscriptions read",
          clientIds: unknown,
        };
      }
      case "federated-credentials": {
        const unread = view.principals.filter((p) => !p.credentialsKnown).map((p) => p.clientId.toLowerCase());
        // App registrations are known only when some service account names them: this cluster's are in the view.
        const applications = [...new Set(view.principals.filter((p) => p.kind === "app-registration").map((p) => p.clientId.toLowerCase()))].sort();
        if (unread.length === 0) return { state: "complete", applications };
        return {
          state: "partial",
          reason: "read-failed",
          detail: `federated credentials of ${unread.length} identities could not be read`,
          clientIds: [...new Set(unread)].sort(),
          applications,
        };
      }
      case "tenant-inventory":
        return view.inventory.complete
          ? { state: "complete" }
          : { state: "none", reason: inventoryGapReason(view.inventory), detail: "not every subscription of the tenant was read" };
      case "role-assignments":
        return view.roleAssignmentsKnown ? { state: "complete" } : { state: "none", reason: "read-failed", detail: "role assignments could not be read" };
      case "workload-usage":
        // Cluster checks never read the whole fleet's usage; fleet coverage decides it per identity.
        return { state: "none", reason: "not-selected", detail: "evaluated at fleet level" };
    }
  };
  return (i) => {
    let s = memo.get(i);
    if (s === undefined) memo.set(i, (s = compute(i)));
    return s;
  };
}

function reasonOf(error: CollectionError): GapReason {
  if (error.kind === "forbidden" || error.kind === "unauthorized") return "forbidden";
  if (error.kind === "unreachable") return "unreachable";
  return "read-failed";
}

function describe(error: CollectionError): string {
  const where = error.namespace ? ` in namespace ${error.namespace}` : "";
  return `${error.verb} ${error.resource}${where}: ${error.kind}${error.httpStatus !== undefined ? ` (${error.httpStatus})` : ""}`;
}
