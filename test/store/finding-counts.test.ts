/**
 * The overview's counts kept per scope give the same figures as reading every
 * open and suppressed finding, through a store's whole lifecycle: scans,
 * suppressions created, expiring and lifted, findings resolved, a store saved
 * before counts were kept, and a row left stale by a writer that stopped.
 */
import { TableClient } from "@azure/data-tables";
import { describe, expect, it } from "vitest";
import { buildOverviewFigures, buildOverviewFiguresFromCounts, type OverviewFigures } from "../../shared/console/overview-view.js";
import { gatherDigestData } from "../../shared/digest/index.js";
import { countFindings, tableNames, type FindingsStore } from "../../shared/store/index.js";
import { CountRowsTable } from "../../shared/store/count-rows.js";
import type { ScanRun } from "../../shared/scan/model.js";
import { azuriteConnectionString, clusterId, finding, fullFleetCoverage, health, saFinding, scanRun, SUB_A, SUB_B, testStore } from "./fixtures.js";

const S1 = "2026-11-02T06:00:00.000Z";
const S2 = "2026-11-09T06:00:00.000Z";
const ALICE = { createdBy: "alice@example.com", createdById: "00000000-0000-0000-0000-00000000a11c" };

const api = saFinding("aks-one", "payments", "api");
const worker = saFinding("aks-one", "payments", "worker", "pod.label-missing", "medium");
const batch = saFinding("aks-one", "batch", "runner", "sa.no-matching-fic", "low");
const webhook = finding("cluster.webhook-not-running", { subscriptionId: SUB_A, cluster: "aks-two", clusterId: clusterId("aks-two"), kind: "Deployment", name: "webhook" }, { controls: ["MCSB IM-3", "MCSB PV-2"] });
const unreachable = finding("scan.cluster-unreachable", { subscriptionId: SUB_A, cluster: "aks-down", clusterId: clusterId("aks-down"), kind: "ManagedCluster", name: "aks-down" }, { severity: "medium", remediation: { text: "Open the API server to the scanner.", command: "az aks update --api-server-authorized-ip-ranges 1.2.3.4/32" } });
const identity = finding("identity.over-privileged", { subscriptionId: SUB_B, kind: "ManagedIdentity", name: "id-ops" }, { severity: "medium" });

function run(id: string, startedAt: string, findings = [api, worker, batch, webhook, unreachable, identity]): { run: ScanRun; findings: typeof findings } {
  const clusters = [health("aks-one"), health("aks-two"), health("aks-down", "unreachable")];
  return { run: { ...scanRun(id, startedAt, clusters, findings), subscriptions: [SUB_A, SUB_B], subscriptionNames: { [SUB_A]: "payments <prod>" } }, findings };
}

async function save(store: FindingsStore, scan: { run: ScanRun; findings: readonly Parameters<FindingsStore["saveScan"]>[1][number][] }): Promise<void> {
  await store.saveScan(scan.run, scan.findings, fullFleetCoverage([SUB_A, SUB_B]));
}

/** The overview's figures both ways: from the kept counts, and from every finding (the digest's own computation). */
async function bothWays(store: FindingsStore, scanId: string): Promise<{ counted: OverviewFigures | undefined; read: OverviewFigures; scopesReadLive: number }> {
  const data = await gatherDigestData(store, scanId);
  const counts = await store.findingCounts();
  const read = buildOverviewFigures(data, undefined);
  const counted = counts === undefined ? undefined : buildOverviewFiguresFromCounts({ scan: data.scan, clusters: data.clusters, earlierScans: data.earlierScans }, counts.groups, undefined);
  return { counted, read, scopesReadLive: counts?.scopesReadLive ?? -1 };
}

function scansTable(prefix: string): TableClient {
  return TableClient.fromConnectionString(azuriteConnectionString(), tableNames(prefix).scans, { allowInsecureConnection: true });
}

describe("counts kept for the overview", () => {
  it("give the figures every finding gives, through scans, suppressions (created, expired, lifted) and resolutions", async () => {
    let now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("counts", { now: () => now });
    await save(store, run("scan-1", S1));
    const first = await bothWays(store, "scan-1");
    expect(first.counted).toEqual({ ...first.read, readEveryFinding: false });
    expect(first.read.totals).toMatchObject({ open: 6, suppressed: 0 });
    expect(first.counted?.unscanned[0]?.fixCommand).toContain("az aks update");

    const suppression = await store.createSuppression({
      checkId: "sa.no-matching-fic",
      pattern: { subscription: SUB_A, cluster: "aks-one", namespace: "payments" },
      reason: "migrating",
      expiresAt: "2026-11-20T00:00:00.000Z",
      ...ALICE,
    });
    const suppressed = await bothWays(store, "scan-1");
    expect(suppressed.counted).toEqual({ ...suppressed.read, readEveryFinding: false });
    expect(suppressed.read.totals).toMatchObject({ open: 5, suppressed: 1 });

    // The suppression expires with no write: the scope holding it is read live, the others are not.
    now = new Date("2026-11-21T00:00:00Z");
    const expired = await bothWays(store, "scan-1");
    expect(expired.counted).toEqual({ ...expired.read, readEveryFinding: false });
    expect(expired.read.totals).toMatchObject({ open: 6, suppressed: 0 });
    expect(expired.scopesReadLive).toBe(1);

    now = new Date("2026-11-10T00:00:00Z");
    await save(store, run("scan-2", S2, [api, worker, webhook, identity]));
    const resolved = await bothWays(store, "scan-2");
    expect(resolved.counted).toEqual({ ...resolved.read, readEveryFinding: false });
    expect(resolved.read.totals).toMatchObject({ open: 3, suppressed: 1 });
    expect(resolved.scopesReadLive).toBe(0);

    await store.liftSuppression(suppression.id, { by: "bob@example.com", byId: "b0b", reason: "done" });
    const lifted = await bothWays(store, "scan-2");
    expect(lifted.counted).toEqual({ ...lifted.read, readEveryFinding: false });
    expect(lifted.read.totals).toMatchObject({ open: 4, suppressed: 0 });
  });

  it("are left stale when two writers overlap on one scope, and written when one writes alone", async () => {
    const { prefix } = await testStore("countsrace");
    const rows = new CountRowsTable(scansTable(prefix));
    const counts = countFindings([], new Date());
    const scopeState = async () => (await rows.read()).scopes.find((r) => r.scope === "c|x")?.stale;
    const first = await rows.begin("c|x");
    const second = await rows.begin("c|x");
    // Either may have read the scope while the other was writing it: neither count is trusted.
    await rows.finish("c|x", first, counts);
    expect(await scopeState()).toBe(true);
    await rows.finish("c|x", second, counts);
    expect(await scopeState()).toBe(true);
    await rows.finish("c|x", await rows.begin("c|x"), counts);
    expect(await scopeState()).toBe(false);
  });

  it("are read live where a writer stopped half-way, and are made for findings saved before counts were kept", async () => {
    const { store, prefix } = await testStore("countsold");
    await save(store, run("scan-1", S1));
    const table = scansTable(prefix);
    const rows = [];
    for await (const e of table.listEntities({ queryOptions: { filter: "PartitionKey eq 'counts'" } })) rows.push(e);

    // A save that marked its scope and stopped before writing the counts: that scope is read live.
    const clusterRow = rows.find((r) => r.rowKey?.startsWith("c|"))!;
    await table.upsertEntity({ partitionKey: "counts", rowKey: clusterRow.rowKey!, stale: true }, "Merge");
    const stale = await bothWays(store, "scan-1");
    expect(stale.counted).toEqual({ ...stale.read, readEveryFinding: false });
    expect(stale.scopesReadLive).toBe(1);

    // A store saved before counts were kept: no counts, so the overview reads every finding until a scan completes.
    for (const r of rows) await table.deleteEntity("counts", r.rowKey!);
    expect(await store.findingCounts()).toBeUndefined();
    // A scan of one cluster: the other scopes keep their findings, and get their counts from the backfill.
    const one = [api, worker, batch];
    const clusterScan: ScanRun = { ...scanRun("scan-2", S2, [health("aks-one")], one), scope: { subscriptions: [], managementGroups: [], clusters: [clusterId("aks-one")] } };
    await store.saveScan(clusterScan, one);
    const backfilled = await bothWays(store, "scan-2");
    expect(backfilled.counted).toEqual({ ...backfilled.read, readEveryFinding: false });
    expect(backfilled.read.totals.open).toBe(6);
    expect(backfilled.scopesReadLive).toBe(0);
  });
});
