import { randomBytes } from "node:crypto";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { createScanStaging, type ScanStaging, type StagedClusterResult } from "../../../functions/runtime/scan-staging.js";
import type { AksCluster, Inventory } from "../../../shared/inventory/model.js";

let staging: ScanStaging;

beforeAll(async () => {
  staging = await createScanStaging({ kind: "connection-string", connectionString: inject("azuriteTables"), retentionDays: 90 }, { tablePrefix: "fnStaging" });
});

function cluster(i: number): AksCluster {
  return {
    id: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-${i}/providers/Microsoft.ContainerService/managedClusters/aks-${i}`,
    name: `aks-${i}`,
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: `rg-${i}`,
    location: "westeurope",
    tenantId: "00000000-0000-0000-0000-0000000000aa",
    isPrivate: false,
    oidcIssuerEnabled: true,
    // Random so that it does not compress away: the inventory must span many rows.
    oidcIssuerUrl: `https://westeurope.oic.prod-aks.azure.com/${randomBytes(96).toString("hex")}/`,
    workloadIdentityEnabled: true,
    localAccountsDisabled: false,
  };
}

function inventoryOf(clusters: number): Inventory {
  return {
    tenantId: "00000000-0000-0000-0000-0000000000aa",
    collectedAt: "2026-11-30T06:00:00.000Z",
    subscriptions: [{ subscriptionId: "00000000-0000-0000-0000-000000000001" }],
    complete: true,
    clusters: Array.from({ length: clusters }, (_, i) => cluster(i)),
    identities: [],
    applications: [],
    roleAssignments: [],
    errors: [],
    requests: { resourceGraph: 5, arm: 0, graph: 0, kubernetes: 0 },
  };
}

const result = (clusterId: string, clientIds: string[]): StagedClusterResult => ({
  clusterId,
  usage: { clusterId, clientIds },
  applications: [],
  applicationErrors: [],
});

describe("the scan staging table", () => {
  it("gives back the inventory of 5,000 clusters it was given, stored across several rows", async () => {
    const inventory = inventoryOf(5_000);
    const { bytes } = await staging.putInventory("scan-big", { scanStartedAt: "2026-11-30T06:00:00.000Z", inventory, clusterIds: inventory.clusters.map((c) => c.id) });
    expect(bytes).toBeGreaterThan(8 * 48_000); // more than one row's worth
    const back = await staging.getInventory("scan-big");
    expect(back?.inventory).toEqual(inventory);
    expect(back?.clusterIds).toHaveLength(5_000);
  });

  it("knows nothing of a scan that staged nothing", async () => {
    expect(await staging.getInventory("scan-never")).toBeUndefined();
    expect(await staging.clusterResults("scan-never")).toEqual([]);
  });

  it("keeps one result per cluster, the last one written, and only for its own scan", async () => {
    const a = cluster(1).id;
    const b = cluster(2).id;
    await staging.putClusterResult("scan-results", result(a, ["11111111-1111-1111-1111-111111111111"]));
    await staging.putClusterResult("scan-results", result(b, []));
    await staging.putClusterResult("scan-results", result(a, ["22222222-2222-2222-2222-222222222222"])); // a retried activity
    await staging.putClusterResult("scan-other", result(b, ["33333333-3333-3333-3333-333333333333"]));
    const results = await staging.clusterResults("scan-results");
    expect(results.map((r) => [r.clusterId, r.usage.clientIds]).sort()).toEqual(
      [
        [a, ["22222222-2222-2222-2222-222222222222"]],
        [b, []],
      ].sort(),
    );
  });

  it("drops everything of one scan and nothing of another", async () => {
    const inventory = inventoryOf(3);
    await staging.putInventory("scan-drop", { scanStartedAt: "2026-11-30T06:00:00.000Z", inventory, clusterIds: [] });
    await staging.putClusterResult("scan-drop", result(cluster(1).id, []));
    await staging.putClusterResult("scan-keep", result(cluster(1).id, []));
    expect(await staging.deleteScan("scan-drop")).toBeGreaterThan(0);
    expect(await staging.getInventory("scan-drop")).toBeUndefined();
    expect(await staging.clusterResults("scan-drop")).toEqual([]);
    expect(await staging.clusterResults("scan-keep")).toHaveLength(1);
    expect(await staging.deleteScan("scan-drop")).toBe(0);
  });

  it("refuses a scan id that cannot name a partition", async () => {
    await expect(staging.getInventory("a/b")).rejects.toThrow(RangeError);
  });
});
