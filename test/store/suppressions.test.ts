import { describe, expect, it } from "vitest";
import { health, saFinding, scanRun, testStore, SUB_A } from "./fixtures.js";

const S1 = "2026-11-02T06:00:00.000Z";
const S2 = "2026-11-09T06:00:00.000Z";

describe("suppressions", () => {
  it("shows a matching finding as suppressed until the suppression expires, then as open again", async () => {
    let now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("expiry", { now: () => now });
    const hidden = saFinding("aks-one", "istio-system", "istio-ingress");
    const other = saFinding("aks-one", "payments", "api");
    await store.createSuppression({
      checkId: "sa.no-matching-fic",
      pattern: { subscription: SUB_A, cluster: "aks-one", namespace: "istio-*" },
      reason: "mesh gateways use their own identity",
      createdBy: "alice@example.com",
      expiresAt: "2026-11-20T00:00:00.000Z",
    });
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [hidden, other]), [hidden, other]);

    expect((await store.listFindings({ status: "open" }, { pageSize: 10 })).items.map((f) => f.id)).toEqual([other.id]);
    const suppressed = await store.listFindings({ status: "suppressed" }, { pageSize: 10 });
    expect(suppressed.items).toEqual([
      expect.objectContaining({ id: hidden.id, status: "suppressed", suppression: expect.objectContaining({ reason: "mesh gateways use their own identity", createdBy: "alice@example.com" }) }),
    ]);

    // No scan, no write: time passes the expiry.
    now = new Date("2026-11-21T00:00:00Z");
    expect((await store.listFindings({ status: "open" }, { pageSize: 10 })).items.map((f) => f.id).sort()).toEqual([hidden.id, other.id].sort());
    expect((await store.listFindings({ status: "suppressed" }, { pageSize: 10 })).items).toEqual([]);
    expect((await store.getFinding(hidden.id))?.finding.status).toBe("open");
  });

  it("suppresses findings already stored as soon as the suppression is created, and reopens them when it is deleted", async () => {
    const now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("immediate", { now: () => now });
    const f = saFinding("aks-one", "batch", "runner", "pod.label-missing", "medium");
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);

    const s = await store.createSuppression({
      checkId: "pod.label-missing",
      pattern: { name: "runner" },
      reason: "batch jobs do not call Azure",
      createdBy: "bob@example.com",
      expiresAt: "2027-01-01T00:00:00.000Z",
    });
    expect((await store.getFinding(f.id))?.finding).toMatchObject({ status: "suppressed", suppression: { id: s.id } });
    expect(await store.listSuppressions()).toEqual([s]);

    expect(await store.deleteSuppression(s.id)).toBe(true);
    expect(await store.deleteSuppression(s.id)).toBe(false);
    expect((await store.getFinding(f.id))?.finding.status).toBe("open");
    expect(await store.listSuppressions()).toEqual([]);
  });

  it("keeps a suppressed finding in its history and resolves it like any other", async () => {
    const now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("suppressedhistory", { now: () => now });
    const f = saFinding("aks-one", "ns", "sa");
    await store.createSuppression({ checkId: f.checkId, pattern: {}, reason: "accepted", createdBy: "carol", expiresAt: "2027-01-01T00:00:00.000Z" });
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);
    await store.saveScan(scanRun("scan-2", S2, [health("aks-one")]), []);
    const found = await store.getFinding(f.id);
    expect(found?.history.map((h) => [h.event, h.status])).toEqual([
      ["new", "suppressed"],
      ["resolved", "resolved"],
    ]);
    expect(found?.finding.status).toBe("resolved");
  });

  it("does not apply a suppression of another check or another cluster", async () => {
    const now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("nomatch", { now: () => now });
    const f = saFinding("aks-one", "ns", "sa");
    await store.createSuppression({ checkId: "pod.label-missing", pattern: {}, reason: "r", createdBy: "d", expiresAt: "2027-01-01T00:00:00.000Z" });
    await store.createSuppression({ checkId: f.checkId, pattern: { cluster: "aks-two" }, reason: "r", createdBy: "d", expiresAt: "2027-01-01T00:00:00.000Z" });
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);
    expect((await store.getFinding(f.id))?.finding.status).toBe("open");
  });
});
