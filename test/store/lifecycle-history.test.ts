import { beforeAll, describe, expect, it } from "vitest";
import type { FindingsStore } from "../../shared/store/index.js";
import type { FleetCoverage } from "../../shared/coverage/index.js";
import { clusterId, finding, fullFleetCoverage, health, saFinding, scanRun, SUB_A, testStore } from "./fixtures.js";

const S1 = "2026-11-02T06:00:00.000Z";
const S2 = "2026-11-09T06:00:00.000Z";
const S3 = "2026-11-16T06:00:00.000Z";

describe("a finding's history across three scans", () => {
  let store: FindingsStore;
  const x = saFinding("aks-one", "payments", "api");
  const y = saFinding("aks-one", "payments", "worker", "pod.label-missing", "medium");

  beforeAll(async () => {
    ({ store } = await testStore("history"));
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [x, y]), [x, y]);
    await store.saveScan(scanRun("scan-2", S2, [health("aks-one")], [x]), [x]);
    await store.saveScan(scanRun("scan-3", S3, [health("aks-one")], [y]), [y]);
  });

  it("records a finding that was new, then still open, then resolved", async () => {
    const found = await store.getFinding(x.id);
    expect(found?.history.map((h) => [h.scanId, h.event, h.status])).toEqual([
      ["scan-1", "new", "open"],
      ["scan-2", "seen", "open"],
      ["scan-3", "resolved", "resolved"],
    ]);
    expect(found?.finding).toMatchObject({
      status: "resolved",
      firstSeenAt: S1,
      firstSeenScanId: "scan-1",
      lastSeenAt: S2,
      lastSeenScanId: "scan-2",
      resolvedAt: S3,
      resolvedScanId: "scan-3",
    });
  });

  it("records a finding that was resolved and came back as reopened", async () => {
    const found = await store.getFinding(y.id);
    expect(found?.history.map((h) => [h.scanId, h.event])).toEqual([
      ["scan-1", "new"],
      ["scan-2", "resolved"],
      ["scan-3", "reopened"],
    ]);
    expect(found?.finding).toMatchObject({ status: "open", firstSeenAt: S1, openedAt: S3, openedScanId: "scan-3", lastSeenScanId: "scan-3" });
    expect(found?.finding.resolvedAt).toBeUndefined();
  });

  it("lists only the reopened finding as open, and both for the cluster with status all", async () => {
    const open = await store.listFindings({ status: "open" }, { pageSize: 100 });
    expect(open.items.map((f) => f.id)).toEqual([y.id]);
    const all = await store.listFindings({ status: "all", cluster: clusterId("aks-one") }, { pageSize: 100 });
    expect(all.items.map((f) => f.id).sort()).toEqual([x.id, y.id].sort());
    const resolved = await store.listFindings({ status: "resolved" }, { pageSize: 100 });
    expect(resolved.items.map((f) => f.id)).toEqual([x.id]);
  });

  it("finds what changed since the second scan: the resolution and the reopening", async () => {
    const changed = await store.listFindings({ status: "all", since: new Date(S3) }, { pageSize: 100 });
    expect(changed.items.map((f) => f.id).sort()).toEqual([x.id, y.id].sort());
    const before = await store.listFindings({ status: "all", since: new Date("2026-12-01T00:00:00Z") }, { pageSize: 100 });
    expect(before.items).toEqual([]);
  });

  it("lists the scans newest first, with counts", async () => {
    const scans = await store.listScans({ pageSize: 10 });
    expect(scans.items.map((s) => s.id)).toEqual(["scan-3", "scan-2", "scan-1"]);
    expect(scans.items[0]?.counts.findings).toBe(1);
  });

  it("shows one scan with the health of each cluster", async () => {
    const details = await store.getScan("scan-2");
    expect(details?.scan?.id).toBe("scan-2");
    expect(details?.clusters).toEqual([expect.objectContaining({ cluster: "aks-one", status: "ok", findingsSaved: true })]);
    expect(await store.getScan("no-such-scan")).toBeUndefined();
  });

  it("returns nothing for a finding id it never saw", async () => {
    expect(await store.getFinding("0123456789abcdef0123456789abcdef")).toBeUndefined();
  });
});

describe("resolving only what a scan could see", () => {
  it("resolves nothing in a cluster that could not be reached, and keeps its findings open", async () => {
    const { store } = await testStore("unreach");
    const f = saFinding("aks-two", "team", "sa");
    await store.saveScan(scanRun("scan-1", S1, [health("aks-two")], [f]), [f]);
    await store.saveScan(scanRun("scan-2", S2, [health("aks-two", "unreachable")]), []);
    const found = await store.getFinding(f.id);
    expect(found?.finding.status).toBe("open");
    expect(found?.finding.lastSeenScanId).toBe("scan-1");
    expect(found?.history.map((h) => h.event)).toEqual(["new"]);
  });

  it("resolves nothing in a cluster scanned only partially", async () => {
    const { store } = await testStore("partial");
    const f = saFinding("aks-three", "team", "sa");
    await store.saveScan(scanRun("scan-1", S1, [health("aks-three")], [f]), [f]);
    await store.saveScan(scanRun("scan-2", S2, [health("aks-three", "partial")]), []);
    expect((await store.getFinding(f.id))?.finding.status).toBe("open");
  });

  it("resolves nothing in a cluster whose findings never reached the store", async () => {
    const { store } = await testStore("unsaved");
    const f = saFinding("aks-four", "team", "sa");
    await store.saveScan(scanRun("scan-1", S1, [health("aks-four")], [f]), [f]);
    // The engine reports the cluster as scanned, but its save never happened.
    await store.completeScan(scanRun("scan-2", S2, [health("aks-four")]));
    expect((await store.getFinding(f.id))?.finding.status).toBe("open");
    const details = await store.getScan("scan-2");
    expect(details?.clusters).toEqual([expect.objectContaining({ cluster: "aks-four", findingsSaved: false })]);
  });

  it("resolves a fleet-level finding per identity, once the evidence about that identity is complete", async () => {
    const { store } = await testStore("fleet");
    const clientId = "0000aaaa-0000-0000-0000-00000000000a";
    const identity = finding(
      "identity.no-role-assignments",
      { subscriptionId: SUB_A, kind: "ManagedIdentity", name: "id-orphan", identityClientId: clientId, identityId: `/subscriptions/${SUB_A}/resourcegroups/rg/providers/microsoft.managedidentity/userassignedidentities/id-orphan` },
      { severity: "low" },
    );
    await store.saveScan(scanRun("scan-1", S1, [health("aks-five")], [identity]), [identity], fullFleetCoverage());

    // aks-six was forbidden and no scanned cluster uses the identity: it may be used there, so nothing is decided.
    const onlyUsedElsewhere = withUsageLimitedTo(["0000bbbb-0000-0000-0000-00000000000b"]);
    await store.saveScan(scanRun("scan-2", S2, [health("aks-five"), health("aks-six", "forbidden")]), [], onlyUsedElsewhere);
    expect((await store.getFinding(identity.id))?.finding.status).toBe("open");

    // Still one cluster forbidden, but a scanned cluster uses the identity: its evidence is complete.
    await store.saveScan(scanRun("scan-3", S3, [health("aks-five"), health("aks-six", "forbidden")]), [], withUsageLimitedTo([clientId]));
    expect((await store.getFinding(identity.id))?.finding).toMatchObject({ status: "resolved", resolvedScanId: "scan-3" });
  });

  it("resolves no fleet-level finding when the fleet checks' coverage was not saved", async () => {
    const { store } = await testStore("fleet-none");
    const identity = finding("fic.limit-near", { subscriptionId: SUB_A, kind: "ManagedIdentity", name: "id-full", identityClientId: "0000cccc-0000-0000-0000-00000000000c" }, { severity: "low" });
    await store.saveScan(scanRun("scan-1", S1, [health("aks-five")], [identity]), [identity], fullFleetCoverage());
    await store.saveScan(scanRun("scan-2", S2, [health("aks-five")]), []);
    expect((await store.getFinding(identity.id))?.finding.status).toBe("open");
  });
});

/** Fleet coverage where usage is known only for identities that scanned clusters use. */
function withUsageLimitedTo(clientIds: string[]): FleetCoverage {
  const full = fullFleetCoverage();
  return {
    ...full,
    checks: full.checks.map((c) =>
      c.checkId.startsWith("identity.") ? { ...c, state: "partial", reason: "forbidden", detail: "aks-six forbidden", only: clientIds } : c,
    ),
  };
}
