/**
 * Which fleet-level checks a scan evaluated completely, per subject (an
 * identity or app registration): a finding about an identity resolves as soon
 * as the evidence about that identity is complete, even when some other
 * cluster of the fleet could not be read.
 */
import type { Check, CheckInput } from "../checks/define.js";
import type { FleetView } from "../checks/fleet-view.js";
import { lookupFailed } from "../checks/fleet-view.js";
import type { ClusterUsage } from "../checks/usage.js";
import type { CheckId } from "../findings/model.js";
import type { InventoryError } from "../inventory/model.js";
import { combine, inventoryGapReason } from "./cluster-coverage.js";
import type { FleetCoverage, GapReason } from "./model.js";

export interface FleetCoverageInput {
  checks: readonly Check[];
  selected: ReadonlySet<CheckId>;
  failed: ReadonlyMap<CheckId, string>;
  /** The view with every app registration the clusters looked up. */
  view: FleetView;
  /** One per cluster scanned. */
  usages: readonly ClusterUsage[];
  /** Ids of the clusters the scan was limited to (--cluster); empty: every cluster in scope. */
  clusterIds: readonly string[];
}

export function fleetCoverage(input: FleetCoverageInput): FleetCoverage {
  const { view } = input;
  const inventory = view.inventory;
  const scanned = new Set(input.usages.map((u) => u.clusterId.toLowerCase()));
  const usedOnScanned = [...new Set(input.usages.flatMap((u) => u.clientIds.map((id) => id.toLowerCase())))].sort();
  const everyClusterRead =
    input.clusterIds.length === 0 &&
    inventory.complete &&
    inventory.clusters.every((c) => scanned.has(c.id.toLowerCase())) &&
    input.usages.every((u) => u.complete === true);
  const missing = inventory.missingSubscriptions ?? [];
  const inventoryGap: GapReason = input.clusterIds.length > 0 ? "narrowed" : inventoryGapReason(inventory);

  const sight = (i: CheckInput) => {
    switch (i) {
      case "federated-credentials": {
        const unread = [...new Set(view.principals.filter((p) => !p.credentialsKnown).map((p) => p.clientId.toLowerCase()))].sort();
        return unread.length === 0
          ? ({ state: "complete" } as const)
          : ({ state: "partial", reason: "read-failed", detail: `federated credentials of ${unread.length} identities could not be read`, clientIds: unread } as const);
      }
      case "role-assignments":
        return view.roleAssignmentsKnown ? ({ state: "complete" } as const) : ({ state: "none", reason: "read-failed", detail: "role assignments could not be read" } as const);
      case "tenant-inventory":
        return inventory.complete ? ({ state: "complete" } as const) : ({ state: "none", reason: inventoryGap, detail: "not every subscription of the tenant was read" } as const);
      case "workload-usage":
        return everyClusterRead
          ? ({ state: "complete" } as const)
          : ({
              state: "partial",
              reason: input.clusterIds.length > 0 || !inventory.complete ? inventoryGap : "unreachable",
              detail: "not every cluster's workloads were read: only identities a scanned cluster uses are judged",
              only: usedOnScanned,
            } as const);
      default:
        return { state: "none", reason: "not-selected", detail: `${i} is read per cluster` } as const;
    }
  };

  const checks = input.checks
    .filter((check) => check.evaluateFleet !== undefined)
    .map((check) => {
      if (!input.selected.has(check.id)) return { checkId: check.id, state: "none" as const, graded: false, reason: "not-selected" as const, detail: "left out by the check selection" };
      const failure = input.failed.get(check.id);
      if (failure !== undefined) return { checkId: check.id, state: "none" as const, graded: false, reason: "check-failed" as const, detail: failure.slice(0, 300) };
      const reads = check.reads.map(sight);
      const coverage = combine(check.id, reads, (check.gradedBy ?? []).map(sight));
      // `only` narrows who was judged; combine() keeps gaps, so carry it over here.
      const only = reads.flatMap((r) => ("only" in r ? [r.only] : []))[0];
      return only === undefined ? coverage : { ...coverage, only: [...only] };
    });

  return {
    checks,
    subjects: input.clusterIds.length === 0 ? "all" : subjectsOfClusters(view, input),
    subscriptions: subscriptionsRead(inventory.subscriptions.map((s) => s.subscriptionId), inventory.errors, missing),
    applications: view.principals
      .filter((p) => p.kind === "app-registration" && !lookupFailed(view, p.clientId))
      .map((p) => p.clientId.toLowerCase())
      .sort(),
    // Findings of no one identity (a missing permission) are judged tenant-wide.
    wholeScope: inventory.complete && input.clusterIds.length === 0,
  };
}

/** The identities that concern the clusters a --cluster scan was limited to: used by their workloads or trusting their issuers. */
function subjectsOfClusters(view: FleetView, input: FleetCoverageInput): string[] {
  const wanted = new Set(input.clusterIds.map((id) => id.toLowerCase()));
  const ids = new Set<string>();
  for (const usage of input.usages) {
    if (wanted.has(usage.clusterId.toLowerCase())) for (const id of usage.clientIds) ids.add(id.toLowerCase());
  }
  for (const cluster of view.inventory.clusters) {
    if (!wanted.has(cluster.id.toLowerCase()) || cluster.oidcIssuerUrl === undefined) continue;
    for (const { principal } of view.credentialsByIssuer.get(cluster.oidcIssuerUrl) ?? []) ids.add(principal.clientId.toLowerCase());
  }
  return [...ids].sort();
}

/** Subscriptions whose identities were listed: not missing, and not in a batch whose identity query failed. */
function subscriptionsRead(inScope: readonly string[], errors: readonly InventoryError[], missing: readonly string[]): string[] {
  const failed = new Set(missing.map((s) => s.toLowerCase()));
  for (const error of errors) {
    if (error.operation !== "userAssignedIdentities" && error.operation !== "managedClusters" && error.operation !== "subscriptions") continue;
    const named = (error.resource ?? "").split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "");
    // A failure that names no subscription (the tenant-wide list, a management group) leaves every one unproven.
    if (named.length === 0 || !named.some((s) => inScope.some((x) => x.toLowerCase() === s))) return [];
    for (const s of named) failed.add(s);
  }
  return inScope.map((s) => s.toLowerCase()).filter((s) => !failed.has(s)).sort();
}
