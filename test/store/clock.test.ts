import { describe, expect, it } from "vitest";
import { ScanClockError } from "../../shared/store/index.js";
import { dumpTables, fullFleetCoverage, health, saFinding, scanRun, testStore } from "./fixtures.js";

describe("scans dated by a wrong clock", () => {
  it("refuses a scan that says it started well after the store's own clock, and saves nothing of it", async () => {
    const { store, prefix } = await testStore("clock");
    const f = saFinding("aks-one", "team", "sa");
    await store.saveScan(scanRun("scan-1", "2026-11-02T06:00:00.000Z", [health("aks-one")], [f]), [f], fullFleetCoverage());
    const before = await dumpTables(prefix);

    // A host whose clock runs a day ahead: this scan would outrank every later one and freeze what it saw.
    const future = new Date(Date.now() + 86_400_000).toISOString();
    await expect(store.saveScan(scanRun("scan-skewed", future, [health("aks-one")], []), [], fullFleetCoverage())).rejects.toThrow(ScanClockError);
    expect(await dumpTables(prefix)).toEqual(before);

    // The next honest scan still resolves what it no longer sees.
    await store.saveScan(scanRun("scan-2", new Date().toISOString(), [health("aks-one")], []), [], fullFleetCoverage());
    expect((await store.getFinding(f.id))?.finding).toMatchObject({ status: "resolved", resolvedScanId: "scan-2" });
  });

  it("accepts a start a little ahead of the store's clock (hosts drift by seconds)", async () => {
    const { store } = await testStore("clock-drift");
    const f = saFinding("aks-one", "team", "sa");
    const slightlyAhead = new Date(Date.now() + 60_000).toISOString();
    await store.saveScan(scanRun("scan-1", slightlyAhead, [health("aks-one")], [f]), [f], fullFleetCoverage());
    expect((await store.getFinding(f.id))?.finding.status).toBe("open");
  });
});
