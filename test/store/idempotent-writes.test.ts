import { beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../shared/findings/index.js";
import { health, saFinding, scanRun, testStore, dumpTables, azuriteConnectionString } from "./fixtures.js";
import { startCuttingProxy } from "./cutting-proxy.js";

const S1 = "2026-11-02T06:00:00.000Z";
const S2 = "2026-11-09T06:00:00.000Z";

/** Enough findings for several transactions per table: two clusters, 180 each. */
function manyFindings(): { first: Finding[]; second: Finding[] } {
  const first: Finding[] = [];
  const second: Finding[] = [];
  for (const cluster of ["aks-a", "aks-b"]) {
    for (let i = 0; i < 180; i++) {
      const severity = (["high", "medium", "low"] as const)[i % 3]!;
      const f = saFinding(cluster, `ns-${i % 7}`, `sa-${i}`, i % 2 === 0 ? "sa.no-matching-fic" : "pod.label-missing", severity);
      if (i % 5 !== 0) first.push(f);
      // The second scan drops some, keeps most, adds new ones and changes a severity.
      if (i % 4 !== 0) second.push(i % 9 === 0 ? { ...f, severity: "info" } : f);
    }
  }
  return { first, second };
}

const clusters = () => [health("aks-a"), health("aks-b")];

describe("saving is idempotent", () => {
  const { first, second } = manyFindings();
  let reference: Record<string, unknown[]>;

  beforeAll(async () => {
    const { store, prefix } = await testStore("reference");
    await store.saveScan(scanRun("scan-1", S1, clusters(), first), first);
    await store.saveScan(scanRun("scan-2", S2, clusters(), second), second);
    reference = await dumpTables(prefix);
  });

  it("leaves exactly the same rows when every scan is saved twice", async () => {
    const { store, prefix } = await testStore("twice");
    await store.saveScan(scanRun("scan-1", S1, clusters(), first), first);
    await store.saveScan(scanRun("scan-1", S1, clusters(), first), first);
    await store.saveScan(scanRun("scan-2", S2, clusters(), second), second);
    await store.saveScan(scanRun("scan-2", S2, clusters(), second), second);
    expect(await dumpTables(prefix)).toEqual(reference);
  });

  it("leaves the same rows when a cluster's save is repeated after the scan was completed", async () => {
    const { store, prefix } = await testStore("late");
    await store.saveScan(scanRun("scan-1", S1, clusters(), first), first);
    await store.saveScan(scanRun("scan-2", S2, clusters(), second), second);
    const aksA = second.filter((f) => f.resource.cluster === "aks-a");
    await store.saveClusterFindings({ id: "scan-2", startedAt: S2 }, health("aks-a"), aksA);
    await store.completeScan(scanRun("scan-2", S2, clusters(), second));
    expect(await dumpTables(prefix)).toEqual(reference);
  });

  for (const allowed of [1, 4, 11]) {
    it(`ends with the same rows when the connection drops after ${allowed} transaction(s) and the save is retried`, async () => {
      const { store: direct, prefix } = await testStore(`crash${allowed}`);
      await direct.saveScan(scanRun("scan-1", S1, clusters(), first), first);

      const proxy = await startCuttingProxy(azuriteConnectionString(), allowed);
      try {
        const { store: doomed } = await testStore(`crash${allowed}`, {
          tablePrefix: prefix,
          clientOptions: { retryOptions: { maxRetries: 0 } },
        }, proxy.connectionString);
        await expect(doomed.saveScan(scanRun("scan-2", S2, clusters(), second), second)).rejects.toThrow();
        expect(proxy.passed()).toBe(allowed);
      } finally {
        await proxy.close();
      }
      // Half-way: some of the second scan landed, not all of it.
      expect(await dumpTables(prefix)).not.toEqual(reference);

      await direct.saveScan(scanRun("scan-2", S2, clusters(), second), second);
      expect(await dumpTables(prefix)).toEqual(reference);
    });
  }

  it("saves 250 findings of one cluster in transactions Azurite accepts (it refuses more than 100 actions)", async () => {
    const { store } = await testStore("big");
    const oneCluster = Array.from({ length: 250 }, (_, i) => saFinding("aks-big", "ns", `sa-${i}`));
    const result = await store.saveScan(scanRun("scan-1", S1, [health("aks-big")], oneCluster), oneCluster);
    const open = await store.listFindings({ status: "open" }, { pageSize: 1000 });
    expect(open.items).toHaveLength(250);
    expect(result.rows).toBeGreaterThanOrEqual(1000);
    // Batched: many rows per request, never one by one.
    expect(result.requests).toBeLessThan(result.rows / 10);
  });
});
