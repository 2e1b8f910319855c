/**
 * The bounds on one cluster's collection (COLLECT_DEFAULTS): pages and items
 * per list, and time for the whole cluster. An API server that never stops
 * sending continue tokens (the simulator's `endless-continue` fault) or never
 * answers must end as a collection error naming the bound, which the checks
 * read as "not seen" and scan.cluster-unreachable reports; it must never keep
 * a scan busy. The simulator over HTTPS, the production clients; nothing mocked.
 */
import { afterEach, describe, expect, it } from "vitest";
import { collectClusterSnapshot, COLLECT_DEFAULTS, resolveClusterAccess, type ClusterSnapshot, type CollectOptions } from "../../shared/cluster/index.js";
import { createAzureScanDependencies, scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import type { AksCluster } from "../../shared/inventory/model.js";
import type { FaultsConfig, Simulator, SimulatorOptions } from "../../simulator/index.js";
import { generatedCluster, loadMiniFleet, MINI_FLEET_CLUSTERS, MINI_FLEET_DIR, miniFleetCluster, withCluster } from "../simulator/kubernetes/fleets.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";

const NOW = new Date("2026-11-29T12:00:00Z");
const shopCluster = MINI_FLEET_CLUSTERS.shop;
const endlessPods = (cluster: string): FaultsConfig => ({ rules: [{ family: "kubernetes", cluster, path: "^/api/v1/pods\\?", fault: "endless-continue" }] });

let sim: Simulator | undefined;

afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: Partial<SimulatorOptions> & { fleetDir?: string } = {}): Promise<Simulator> {
  sim = await startFleetSimulator({ fleetDir: MINI_FLEET_DIR, ...options });
  return sim;
}

async function snapshotOf(simulator: Simulator, cluster: AksCluster, options: CollectOptions = {}): Promise<ClusterSnapshot> {
  const clients = clientsFor(simulator);
  const result = await resolveClusterAccess(cluster, { containerService: clients.containerService(cluster.subscriptionId), credential: clients.credential });
  if (!result.ok) throw new Error(`no access: ${result.error.message}`);
  return collectClusterSnapshot(cluster, result.access, { now: NOW, ...options });
}

describe("a list that never ends", () => {
  it("stops at maxListPages, keeps none of its items and reads everything else", async () => {
    const clean = await snapshotOf(await start(), shopCluster, { pageSize: 2 });
    const simulator = await start({ faults: endlessPods("shop-aks") });
    const snapshot = await snapshotOf(simulator, shopCluster, { pageSize: 2, maxListPages: 25 });

    expect(snapshot.errors).toEqual([
      {
        kind: "error",
        resource: "pods",
        verb: "list",
        group: "",
        message: expect.stringMatching(/after 25 pages.*maxListPages, COLLECT_DEFAULTS in shared\/cluster\/collect\.ts.*kept sending continue tokens/),
      },
    ]);
    expect(snapshot.stats.podPages).toBe(25);
    expect(snapshot.pods).toEqual([]);
    expect(snapshot.serviceAccounts).toEqual(clean.serviceAccounts);
    expect(snapshot.workloads).toEqual(clean.workloads);
  });

  it("stops at maxListItems when the pages are full", async () => {
    const fleet = withCluster(await loadMiniFleet(), "big-aks", generatedCluster(1000, { labelledEvery: 10 }));
    const simulator = await start({ fleet });
    const snapshot = await snapshotOf(simulator, miniFleetCluster("big-aks", "shop-rg"), { pageSize: 100, maxListItems: 500 });
    expect(snapshot.errors).toEqual([expect.objectContaining({ kind: "error", resource: "pods", verb: "list", message: expect.stringContaining("after 500 items") })]);
    expect(snapshot.errors[0]?.message).toContain("maxListItems");
    expect(snapshot.pods).toEqual([]);
  });

  it("is read whole when it ends exactly at the bounds", async () => {
    const fleet = withCluster(await loadMiniFleet(), "big-aks", generatedCluster(1000, { labelledEvery: 10 }));
    const simulator = await start({ fleet });
    const snapshot = await snapshotOf(simulator, miniFleetCluster("big-aks", "shop-rg"), { pageSize: 100, maxListPages: 10, maxListItems: 1000 });
    expect(snapshot.errors).toEqual([]);
    expect(snapshot.stats.podsSeen).toBe(1000);
  });

  it("has default bounds that read a 20,000-pod cluster whole at the default page size", () => {
    expect(COLLECT_DEFAULTS.maxListPages * COLLECT_DEFAULTS.pageSize).toBeGreaterThanOrEqual(COLLECT_DEFAULTS.maxListItems);
    expect(COLLECT_DEFAULTS.maxListItems).toBeGreaterThanOrEqual(150_000);
  });
});

describe("the cluster's time budget", () => {
  it("cuts a request in flight when it runs out and asks nothing more", async () => {
    // The pods list answers after 5 s; the budget ends long before, and before the request's own timeout.
    const simulator = await start({ faults: { rules: [{ family: "kubernetes", cluster: "shop-aks", path: "^/api/v1/pods\\?", fault: "latency", latencyMs: 5_000 }] } });
    const snapshot = await snapshotOf(simulator, shopCluster, { clusterBudgetMs: 1_500, requestTimeoutMs: 30_000 });

    const budget = expect.stringContaining("the cluster's time budget of 1500 ms ran out (clusterBudgetMs, COLLECT_DEFAULTS in shared/cluster/collect.ts)");
    expect(snapshot.errors).toEqual([{ kind: "error", resource: "pods", verb: "list", group: "", message: budget }]);
    expect(snapshot.pods).toEqual([]);
    expect(snapshot.logEvidence).toEqual([]);
    // Namespaces, service accounts and the eight lists beside pods: nothing after the budget ran out.
    expect(snapshot.stats.requests).toBe(11);
  });
});

describe("a scan of a fleet with one endless list", () => {
  async function scan(simulator: Simulator): Promise<ScanOutcome> {
    return scanFleet(createAzureScanDependencies(clientsFor(simulator)), {
      scope: { subscriptions: [], managementGroups: [], clusters: [] },
      concurrency: 4,
      trigger: "demo",
    });
  }
  const onCluster = (outcome: ScanOutcome, cluster: string) => outcome.findings.filter((f) => f.resource.cluster === cluster);

  it("ends, with default bounds, in a scan.cluster-unreachable finding naming the bound, and no finding from the pods it did not read", async () => {
    const clean = await scan(await start());
    await sim?.close();
    const simulator = await start({ faults: endlessPods("shop-aks") });
    const outcome = await scan(simulator);

    const shop = onCluster(outcome, "shop-aks");
    const unreadable = shop.filter((f) => f.checkId === "scan.cluster-unreachable");
    expect(unreadable).toEqual([
      expect.objectContaining({
        title: "Part of the cluster's API could not be read",
        evidence: expect.objectContaining({ firstFailure: expect.stringMatching(/^list pods: not read: the list still had more after 2000 pages.*maxListPages/) }),
      }),
    ]);
    // Nothing new from a cluster half read, and nothing about the pods it could not read.
    const ids = (findings: ScanOutcome["findings"]) => findings.map((f) => f.id);
    expect(ids(onCluster(clean, "shop-aks"))).toEqual(expect.arrayContaining(ids(shop.filter((f) => f.checkId !== "scan.cluster-unreachable"))));
    expect(onCluster(clean, "shop-aks").filter((f) => f.resource.kind === "Pod")).not.toEqual([]);
    expect(shop.filter((f) => f.resource.kind === "Pod")).toEqual([]);
    // The other clusters are untouched.
    const others = (outcome: ScanOutcome) => outcome.findings.filter((f) => f.resource.cluster !== undefined && f.resource.cluster !== "shop-aks").map((f) => `${f.checkId} ${f.resource.cluster} ${f.resource.name}`).sort();
    expect(others(outcome)).toEqual(others(clean));
    expect(simulator.faultCounts()).toEqual({ "kubernetes endless-continue": COLLECT_DEFAULTS.maxListPages });
  });
});
