/**
 * What a scan may claim to have evaluated, as kubescape's incomplete-coverage
 * tests do it: a table of (what could not be read, check) -> coverage state,
 * through the real runner on the builder fleets.
 */
import { describe, expect, it } from "vitest";
import { buildFleetView, runClusterChecks, runFleetChecks, summarizeClusterUsage, type CheckSelection } from "../../shared/checks/index.js";
import { coversClusterFinding, coversFleetFinding, type CheckCoverage } from "../../shared/coverage/index.js";
import type { CollectionError } from "../../shared/cluster/model.js";
import type { CheckId } from "../../shared/findings/index.js";
import { CLIENT_ID, first, healthyFleet, NS, SUBSCRIPTION, type TestFleet } from "./builders.js";

function clusterCoverageOf(fleet: TestFleet, checkId: CheckId, selection: CheckSelection = {}): CheckCoverage {
  const view = buildFleetView(fleet.inventory);
  const { coverage } = runClusterChecks(view, first(fleet), selection);
  return coverage.checks.find((c) => c.checkId === checkId)!;
}

function fleetCoverageOf(fleet: TestFleet, clusterIds: string[] = []) {
  const view = buildFleetView(fleet.inventory);
  const usages = fleet.snapshots.map((s) => summarizeClusterUsage(s, []));
  return runFleetChecks(view, usages, {}, undefined, clusterIds).coverage;
}

const error = (resource: string, kind: CollectionError["kind"], namespace?: string): CollectionError => ({
  kind,
  resource,
  verb: "list",
  message: `${kind}`,
  ...(namespace !== undefined && { namespace }),
});

describe("cluster coverage", () => {
  const cases: Array<{ name: string; errors: CollectionError[]; checkId: CheckId; state: CheckCoverage["state"]; reason?: string }> = [
    { name: "everything read", errors: [], checkId: "pod.label-missing", state: "complete" },
    { name: "pods forbidden cluster-wide", errors: [error("pods", "forbidden")], checkId: "pod.label-missing", state: "none", reason: "forbidden" },
    { name: "pods forbidden in one namespace", errors: [error("pods", "forbidden", "payments")], checkId: "pod.label-missing", state: "partial", reason: "forbidden" },
    { name: "pods forbidden, a check that never reads pods", errors: [error("pods", "forbidden")], checkId: "sa.client-id-malformed", state: "complete" },
    { name: "a workload controller list timed out", errors: [error("statefulsets", "timeout")], checkId: "pod.label-missing", state: "none", reason: "read-failed" },
    { name: "logs refused in a namespace", errors: [error("pods/log", "forbidden", NS)], checkId: "pod.aadsts-errors", state: "partial", reason: "forbidden" },
    { name: "the API server unreachable", errors: [error("namespaces", "unreachable")], checkId: "sa.client-id-malformed", state: "none", reason: "unreachable" },
    { name: "credentials rejected (401)", errors: [error("namespaces", "unauthorized")], checkId: "pod.not-mutated", state: "none", reason: "forbidden" },
    { name: "unreachable, a check that reads only the collection's own errors", errors: [error("namespaces", "unreachable")], checkId: "scan.cluster-unreachable", state: "complete" },
    // The ARM read of the cluster's identity bindings: a gap for the checks that need it, nothing more.
    { name: "identity bindings refused (ARM 403)", errors: [error("Microsoft.ContainerService/managedClusters/identityBindings", "forbidden")], checkId: "binding.credential-missing", state: "none", reason: "forbidden" },
    { name: "identity bindings failed (ARM 5xx)", errors: [error("Microsoft.ContainerService/managedClusters/identityBindings", "error")], checkId: "binding.not-ready", state: "none", reason: "read-failed" },
    { name: "identity bindings failed, a check that never reads them", errors: [error("Microsoft.ContainerService/managedClusters/identityBindings", "error")], checkId: "pod.not-mutated", state: "complete" },
  ];
  for (const c of cases) {
    it(`${c.name}: ${c.checkId} is ${c.state}`, () => {
      const fleet = healthyFleet();
      first(fleet).errors.push(...c.errors);
      const coverage = clusterCoverageOf(fleet, c.checkId);
      expect(coverage.state).toBe(c.state);
      if (c.reason !== undefined) expect(coverage.reason).toBe(c.reason);
    });
  }

  it("covers the rest of the cluster, not the forbidden namespace, nor cluster-wide findings", () => {
    const fleet = healthyFleet();
    first(fleet).errors.push(error("pods", "forbidden", "payments"));
    const coverage = runClusterChecks(buildFleetView(fleet.inventory), first(fleet)).coverage;
    const at = (namespace?: string) => ({ kind: "Deployment", name: "api", ...(namespace !== undefined && { namespace }) });
    expect(coversClusterFinding(coverage, "pod.label-missing", at(NS))).toBe(true);
    expect(coversClusterFinding(coverage, "pod.label-missing", at("payments"))).toBe(false);
    expect(coversClusterFinding(coverage, "pod.label-missing", at())).toBe(false);
  });

  it("covers nothing of a check left out by --check, and says so", () => {
    const coverage = clusterCoverageOf(healthyFleet(), "sa.no-matching-fic", { include: ["pod.label-missing"] });
    expect(coverage).toMatchObject({ state: "none", reason: "not-selected" });
  });

  it("covers nothing of the probe where it is off", () => {
    expect(clusterCoverageOf(healthyFleet(), "probe.token-exchange-failed")).toMatchObject({ state: "none", reason: "probe-off" });
    const on = healthyFleet();
    first(on).probeResults = [];
    expect(clusterCoverageOf(on, "probe.token-exchange-failed").state).toBe("complete");
  });

  it("covers no log finding when LOG_MAX_PODS_PER_CLUSTER left workloads unread", () => {
    const fleet = healthyFleet();
    first(fleet).logReading = "capped";
    expect(clusterCoverageOf(fleet, "pod.aadsts-errors")).toMatchObject({ state: "none", reason: "limited-by-setting" });
  });

  it("leaves out the identity whose federated credentials could not be read, and only that one", () => {
    const fleet = healthyFleet();
    fleet.inventory.identities[0]!.federatedCredentialsKnown = false;
    const coverage = clusterCoverageOf(fleet, "sa.no-matching-fic");
    expect(coverage).toMatchObject({ state: "partial", reason: "read-failed", clientIds: [CLIENT_ID.toLowerCase()] });
    const other = { kind: "ServiceAccount", name: "x", namespace: NS, identityClientId: "d1d2d3d4-0000-4000-8000-000000000000" };
    expect(coversClusterFinding({ checks: [coverage] }, "sa.no-matching-fic", { ...other, identityClientId: CLIENT_ID })).toBe(false);
    expect(coversClusterFinding({ checks: [coverage] }, "sa.no-matching-fic", other)).toBe(true);
  });

  it("does not re-grade sa.client-id-unknown when not every subscription was read", () => {
    const fleet = healthyFleet();
    fleet.inventory.complete = false;
    fleet.inventory.partialScope = true;
    const coverage = clusterCoverageOf(fleet, "sa.client-id-unknown");
    expect(coverage).toMatchObject({ graded: false, reason: "narrowed" });
  });
});

describe("fleet coverage", () => {
  it("covers every identity of the subscriptions read when everything was read", () => {
    const coverage = fleetCoverageOf(healthyFleet());
    expect(coverage.subjects).toBe("all");
    expect(coverage.subscriptions).toEqual([SUBSCRIPTION.toLowerCase()]);
    expect(coverage.checks.every((c) => c.state === "complete")).toBe(true);
  });

  it("judges identity.* per identity while one cluster is unreachable: those a scanned cluster uses are covered", () => {
    const fleet = healthyFleet();
    const unreachable = structuredClone(first(fleet));
    unreachable.cluster = { ...unreachable.cluster, id: `${unreachable.cluster.id}-2`, name: "aks-down" };
    unreachable.accessPath = "none";
    unreachable.errors = [error("namespaces", "unreachable")];
    unreachable.serviceAccounts = [];
    unreachable.pods = [];
    unreachable.workloads = [];
    fleet.snapshots.push(unreachable);
    fleet.inventory.clusters.push(unreachable.cluster);
    const coverage = fleetCoverageOf(fleet);
    const resource = (clientId: string) => ({ subscriptionId: SUBSCRIPTION, kind: "ManagedIdentity", name: "id", identityClientId: clientId, identityId: "/subscriptions/x/id" });
    expect(coversFleetFinding(coverage, "identity.no-role-assignments", resource(CLIENT_ID))).toBe(true);
    expect(coversFleetFinding(coverage, "identity.no-role-assignments", resource("e0000000-0000-4000-8000-00000000000e"))).toBe(false);
    // Credentials do not depend on any cluster: fic.* stays covered for every identity.
    expect(coversFleetFinding(coverage, "fic.audience-missing", resource("e0000000-0000-4000-8000-00000000000e"))).toBe(true);
  });

  it("covers, in a --cluster scan, only the identities that concern the cluster", () => {
    const fleet = healthyFleet();
    const coverage = fleetCoverageOf(fleet, [first(fleet).cluster.id]);
    expect(coverage.subjects).toEqual([CLIENT_ID.toLowerCase()]);
    expect(coverage.wholeScope).toBe(false);
  });

  it("covers no managed identity of a subscription Resource Graph did not return", () => {
    const fleet = healthyFleet();
    const gone = "5e0c2b1a-7d44-4f0e-9a55-3c7f1b2d9e10";
    fleet.inventory.subscriptions.push({ subscriptionId: gone });
    fleet.inventory.missingSubscriptions = [gone];
    fleet.inventory.complete = false;
    const coverage = fleetCoverageOf(fleet);
    expect(coverage.subscriptions).not.toContain(gone);
    expect(coversFleetFinding(coverage, "fic.audience-missing", { subscriptionId: gone, kind: "FederatedCredential", name: "c", identityClientId: CLIENT_ID, identityId: "/x" })).toBe(false);
  });
});
