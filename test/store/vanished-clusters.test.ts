import { beforeAll, describe, expect, it } from "vitest";
import type { FindingsStore } from "../../shared/store/index.js";
import { clusterId, finding, fullFleetCoverage, health, saFinding, scanRun, SUB_A, SUB_B, testStore } from "./fixtures.js";

const S1 = "2026-11-02T06:00:00.000Z";
const S2 = "2026-11-09T06:00:00.000Z";
const S3 = "2026-11-16T06:00:00.000Z";

/** A finding and the health of a cluster in subscription B. */
const inB = {
  finding: finding("sa.no-matching-fic", { subscriptionId: SUB_B, cluster: "aks-b", clusterId: clusterId("aks-b", SUB_B), namespace: "shop", name: "orders" }),
  health: { ...health("aks-b"), clusterId: clusterId("aks-b", SUB_B), subscriptionId: SUB_B },
};

describe("findings of a cluster that no longer exists", () => {
  let store: FindingsStore;
  const kept = saFinding("aks-one", "payments", "api");
  const deleted = saFinding("aks-two", "payments", "api");
  const failing = saFinding("aks-three", "payments", "api");

  beforeAll(async () => {
    ({ store } = await testStore("vanished"));
    const first = [kept, deleted, failing, inB.finding];
    await store.saveScan({ ...scanRun("scan-1", S1, [health("aks-one"), health("aks-two"), health("aks-three"), inB.health], first), subscriptions: [SUB_A, SUB_B] }, first, fullFleetCoverage([SUB_A, SUB_B]));
    // A scan whose cluster listing of subscription A failed: no cluster's absence proves anything.
    await store.saveScan(scanRun("scan-2", S2, [health("aks-one"), health("aks-three")], [kept, failing]), [kept, failing], fullFleetCoverage([]));
    // Subscription A listed again: aks-two is gone; aks-three is there but unreachable (that is no reason to wait). B was not read.
    const third = { ...scanRun("scan-3", S3, [health("aks-one"), health("aks-three", "unreachable")], [kept]), scope: { subscriptions: [SUB_A], managementGroups: [], clusters: [] } };
    await store.saveScan(third, [kept], fullFleetCoverage([SUB_A]));
  });

  it("are resolved by the first scan that listed their subscription's clusters and no longer found the cluster", async () => {
    const found = await store.getFinding(deleted.id);
    expect(found?.history.map((h) => [h.scanId, h.event])).toEqual([
      ["scan-1", "new"],
      ["scan-3", "resolved"],
    ]);
    expect(found?.finding).toMatchObject({ status: "resolved", resolvedScanId: "scan-3" });
  });

  it("stay open while the cluster is only unreachable, and in subscriptions the scan did not read", async () => {
    expect((await store.getFinding(kept.id))?.finding.status).toBe("open");
    expect((await store.getFinding(failing.id))?.finding.status).toBe("open");
    expect((await store.getFinding(inB.finding.id))?.finding.status).toBe("open");
  });

  it("are not resolved by a scan limited to some clusters", async () => {
    const { store: limitedStore } = await testStore("vanished-limited");
    await limitedStore.saveScan(scanRun("scan-1", S1, [health("aks-one"), health("aks-two")], [kept, deleted]), [kept, deleted], fullFleetCoverage());
    const limited = { ...scanRun("scan-2", S2, [health("aks-one")], [kept]), scope: { subscriptions: [], managementGroups: [], clusters: ["aks-one"] } };
    await limitedStore.saveScan(limited, [kept], fullFleetCoverage());
    expect((await limitedStore.getFinding(deleted.id))?.finding.status).toBe("open");
  });
});
