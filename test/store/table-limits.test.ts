import { describe, expect, it } from "vitest";
import type { Finding } from "../../shared/findings/index.js";
import { isValidKey } from "../../shared/store/keys.js";
import { dumpTables, finding, health, saFinding, scanRun, SUB_A, testStore } from "./fixtures.js";

const S1 = "2026-11-02T06:00:00.000Z";
const MARKER = "[truncated by wiscan]";

describe("values beyond Table Storage limits", () => {
  it("stores a finding with 70 kB of evidence, truncated with a marker", async () => {
    const { store } = await testStore("evidence");
    const f = {
      ...saFinding("aks-one", "ns", "sa"),
      evidence: { log: "AADSTS70021 ".repeat(6000), issuer: "https://oidc.example/abc/", attempts: 3, mutated: false },
      remediation: { text: "Recreate the credential.", command: "x".repeat(100_000) },
    } satisfies Finding;
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);
    const stored = (await store.getFinding(f.id))!.finding;
    expect(String(stored.evidence["log"])).toContain(MARKER);
    expect(String(stored.evidence["log"]).length).toBeLessThan(5000);
    expect(stored.evidence).toMatchObject({ issuer: "https://oidc.example/abc/", attempts: 3, mutated: false });
    expect(stored.remediation.command).toMatch(new RegExp(`${MARKER.replace(/[[\]]/g, "\\$&")}$`));
  });

  it("stores evidence with too many values, saying how many were left out", async () => {
    const { store } = await testStore("manykeys");
    const evidence = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`pod-${i}`, "e".repeat(1000)]));
    const f = { ...saFinding("aks-one", "ns", "many"), evidence } satisfies Finding;
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);
    const stored = (await store.getFinding(f.id))!.finding;
    expect(Object.keys(stored.evidence).length).toBeLessThan(200);
    expect(stored.evidence["wiscan.omitted"]).toMatch(/^\d+ more evidence value/);
  });

  it("stores and finds again names, ids and clusters with / \\ # ? control characters and unicode", async () => {
    const { store, prefix } = await testStore("keys");
    const weirdCluster = "aks#1?/ü";
    const id = `/subscriptions/${SUB_A}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${weirdCluster}`;
    const h = { ...health("x"), clusterId: id, cluster: weirdCluster };
    const f: Finding = {
      ...finding("sa.client-id-malformed", { subscriptionId: SUB_A, cluster: weirdCluster, clusterId: id, namespace: "ns\\a", name: "sa\u0007名前😀" }),
      id: "odd/id#with?chars\\and\u0001more~%",
    };
    const long: Finding = { ...saFinding("x", "ns", "long"), id: "ü/".repeat(600), resource: { ...saFinding("x", "ns", "long").resource, clusterId: id } };
    await store.saveScan(scanRun("scan/1#?", S1, [h], [f, long]), [f, long]);

    const stored = await store.getFinding(f.id);
    expect(stored?.finding.resource).toMatchObject({ cluster: weirdCluster, namespace: "ns\\a", name: "sa\u0007名前😀" });
    expect(stored?.history.map((e) => e.scanId)).toEqual(["scan/1#?"]);
    expect((await store.getFinding(long.id))?.finding.id).toBe(long.id);
    const inCluster = await store.listFindings({ status: "all", cluster: id }, { pageSize: 10 });
    expect(inCluster.items.map((x) => x.id).sort()).toEqual([f.id, long.id].sort());
    expect((await store.getScan("scan/1#?"))?.clusters[0]?.cluster).toBe(weirdCluster);

    // Azurite accepts more than Azure does; every key written must meet Azure's rules.
    const rows = Object.values(await dumpTables(prefix)).flat() as Array<{ partitionKey: string; rowKey: string }>;
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((r) => !isValidKey(r.partitionKey) || !isValidKey(r.rowKey))).toEqual([]);
  });

  it("keeps scans with very long text within limits", async () => {
    const { store } = await testStore("longscan");
    const h = { ...health("aks-one"), reason: "timeout ".repeat(20_000), status: "error" as const };
    const run = { ...scanRun("scan-1", S1, [h]), subscriptions: Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(8, "0")}-0000-0000-0000-000000000000`) };
    await store.saveScan(run, []);
    const details = await store.getScan("scan-1");
    expect(details?.clusters[0]?.reason).toContain(MARKER);
    expect(details?.scan?.subscriptions.at(-1)).toMatch(/^…and \d+ more$/);
  });
});

describe("retention", () => {
  it("deletes scan-level rows older than the retention period and keeps every finding's current state", async () => {
    let now = new Date("2026-11-20T00:00:00Z");
    const { store } = await testStore("retention", { now: () => now });
    const f = saFinding("aks-one", "ns", "sa");
    await store.saveScan(scanRun("scan-old", "2026-08-01T06:00:00.000Z", [health("aks-one")], [f]), [f]);
    await store.saveScan(scanRun("scan-new", "2026-11-16T06:00:00.000Z", [health("aks-one")], [f]), [f]);

    const result = await store.deleteScansOlderThan(30);
    expect(result.scans).toBe(1);
    expect((await store.listScans({ pageSize: 10 })).items.map((s) => s.id)).toEqual(["scan-new"]);
    expect(await store.getScan("scan-old")).toBeUndefined();
    const found = await store.getFinding(f.id);
    expect(found?.history.map((h) => h.scanId)).toEqual(["scan-new"]);
    expect(found?.finding).toMatchObject({ status: "open", firstSeenScanId: "scan-old", firstSeenAt: "2026-08-01T06:00:00.000Z" });

    now = new Date("2027-06-01T00:00:00Z");
    await store.deleteScansOlderThan(30);
    expect((await store.getFinding(f.id))?.finding.status).toBe("open");
  });
});
