import { describe, expect, it } from "vitest";
import type { NewSuppression } from "../../shared/store/index.js";
import { health, saFinding, scanRun, testStore, SUB_A } from "./fixtures.js";

const S1 = "2026-11-02T06:00:00.000Z";
const S2 = "2026-11-09T06:00:00.000Z";
const ALICE = { createdBy: "alice@example.com", createdById: "00000000-0000-0000-0000-00000000a11c" };

function suppression(overrides: Partial<NewSuppression> & Pick<NewSuppression, "checkId" | "pattern">): NewSuppression {
  return { reason: "accepted", expiresAt: "2026-12-01T00:00:00.000Z", ...ALICE, ...overrides };
}

describe("suppressions", () => {
  it("shows a matching finding as suppressed until the suppression expires, then as open again", async () => {
    let now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("expiry", { now: () => now });
    const hidden = saFinding("aks-one", "istio-system", "istio-ingress");
    const other = saFinding("aks-one", "payments", "api");
    await store.createSuppression(
      suppression({ checkId: "sa.no-matching-fic", pattern: { subscription: SUB_A, cluster: "aks-one", namespace: "istio-*" }, reason: "mesh gateways use their own identity", expiresAt: "2026-11-20T00:00:00.000Z" }),
    );
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [hidden, other]), [hidden, other]);

    expect((await store.listFindings({ status: "open" }, { pageSize: 10 })).items.map((f) => f.id)).toEqual([other.id]);
    const suppressed = await store.listFindings({ status: "suppressed" }, { pageSize: 10 });
    expect(suppressed.items).toEqual([
      expect.objectContaining({ id: hidden.id, status: "suppressed", suppression: expect.objectContaining({ reason: "mesh gateways use their own identity", createdBy: "alice@example.com" }) }),
    ]);

    // No scan, no write: time passes the expiry. Queries show the expiry at once, history included.
    now = new Date("2026-11-21T00:00:00Z");
    expect((await store.listFindings({ status: "open" }, { pageSize: 10 })).items.map((f) => f.id).sort()).toEqual([hidden.id, other.id].sort());
    expect((await store.listFindings({ status: "suppressed" }, { pageSize: 10 })).items).toEqual([]);
    const shown = await store.getFinding(hidden.id);
    expect(shown?.finding.status).toBe("open");
    expect(shown?.history.map((h) => h.event)).toEqual(["new", "suppression-expired"]);
    expect(await store.listSuppressionAudit()).toHaveLength(1);

    // The next scan that sees the finding writes the expiry: in its history (dated at the expiry) and in the audit log.
    await store.saveScan(scanRun("scan-2", "2026-11-21T06:00:00.000Z", [health("aks-one")], [hidden, other]), [hidden, other]);
    const after = await store.getFinding(hidden.id);
    expect(after?.history.map((h) => [h.event, h.status, h.at])).toEqual([
      ["new", "suppressed", S1],
      ["suppression-expired", "open", "2026-11-20T00:00:00.000Z"],
      ["seen", "open", "2026-11-21T06:00:00.000Z"],
    ]);
    expect(after?.history[1]?.suppression).toMatchObject({ createdBy: "alice@example.com", reason: "mesh gateways use their own identity", expiresAt: "2026-11-20T00:00:00.000Z" });
    const audit = await store.listSuppressionAudit();
    expect(audit.map((a) => [a.event, a.by])).toEqual([
      ["created", "alice@example.com"],
      ["expired", "wiscan"],
    ]);
    // Noticed again by a later scan: the same rows, nothing more.
    await store.saveScan(scanRun("scan-3", "2026-11-28T06:00:00.000Z", [health("aks-one")], [hidden, other]), [hidden, other]);
    expect((await store.listSuppressionAudit()).length).toBe(2);
  });

  it("suppresses stored findings when created and reopens them when lifted, with who and why in their history; the lifted row stays as a tombstone", async () => {
    let now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("immediate", { now: () => now });
    const f = saFinding("aks-one", "batch", "runner", "pod.label-missing", "medium");
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);

    const s = await store.createSuppression(suppression({ checkId: "pod.label-missing", pattern: { name: "runner" }, reason: "batch jobs do not call Azure", expiresAt: "2027-01-01T00:00:00.000Z" }));
    expect((await store.getFinding(f.id))?.finding).toMatchObject({ status: "suppressed", suppression: { id: s.id } });
    expect(await store.listSuppressions()).toEqual([s]);

    now = new Date("2026-11-05T00:00:00Z");
    const lift = { by: "bob@example.com", byId: "00000000-0000-0000-0000-000000000b0b", reason: "the runner now uses workload identity" };
    expect(await store.liftSuppression(s.id, lift)).toMatchObject({ outcome: "lifted", suppression: { lifted: { by: "bob@example.com", at: now.toISOString() } } });
    expect(await store.liftSuppression(s.id, lift)).toMatchObject({ outcome: "already-lifted" });
    expect(await store.liftSuppression("no-such-id", lift)).toEqual({ outcome: "unknown" });
    expect((await store.getFinding(f.id))?.finding.status).toBe("open");

    // The tombstone: still listed, lifted, never applied again.
    expect(await store.listSuppressions()).toEqual([{ ...s, lifted: { ...lift, at: "2026-11-05T00:00:00.000Z" } }]);
    await store.saveScan(scanRun("scan-2", S2, [health("aks-one")], [f]), [f]);
    const found = await store.getFinding(f.id);
    expect(found?.finding.status).toBe("open");
    expect(found?.history.map((h) => [h.event, h.status, h.suppression?.createdBy, h.suppression?.reason, h.suppression?.expiresAt, h.suppression?.liftedBy, h.suppression?.liftReason])).toEqual([
      ["new", "open", undefined, undefined, undefined, undefined, undefined],
      ["suppressed", "suppressed", "alice@example.com", "batch jobs do not call Azure", "2027-01-01T00:00:00.000Z", undefined, undefined],
      ["suppression-lifted", "open", "alice@example.com", "batch jobs do not call Azure", "2027-01-01T00:00:00.000Z", "bob@example.com", "the runner now uses workload identity"],
      ["seen", "open", undefined, undefined, undefined, undefined, undefined],
    ]);
    expect((await store.listSuppressionAudit(s.id)).map((a) => [a.event, a.by, a.reason])).toEqual([
      ["created", "alice@example.com", "batch jobs do not call Azure"],
      ["lifted", "bob@example.com", "the runner now uses workload identity"],
    ]);
  });

  it("keeps a suppressed finding in its history and resolves it like any other", async () => {
    const now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("suppressedhistory", { now: () => now });
    const f = saFinding("aks-one", "ns", "sa");
    await store.createSuppression(suppression({ checkId: f.checkId, pattern: { cluster: "aks-one" } }));
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);
    await store.saveScan(scanRun("scan-2", S2, [health("aks-one")]), []);
    const found = await store.getFinding(f.id);
    expect(found?.history.map((h) => [h.event, h.status, h.suppression?.createdBy])).toEqual([
      ["new", "suppressed", "alice@example.com"],
      ["resolved", "resolved", undefined],
    ]);
    expect(found?.finding.status).toBe("resolved");
  });

  it("does not apply a suppression of another check or another cluster", async () => {
    const now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("nomatch", { now: () => now });
    const f = saFinding("aks-one", "ns", "sa");
    await store.createSuppression(suppression({ checkId: "pod.label-missing", pattern: { name: "sa" } }));
    await store.createSuppression(suppression({ checkId: f.checkId, pattern: { cluster: "aks-two" } }));
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);
    expect((await store.getFinding(f.id))?.finding.status).toBe("open");
  });

  it("applies a suppression naming an identity to the findings about that identity", async () => {
    const now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("identity", { now: () => now });
    const f = saFinding("aks-one", "ns", "sa");
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [f]), [f]);
    await store.createSuppression(suppression({ checkId: f.checkId, pattern: { identity: f.resource.identityClientId!.toUpperCase() } }));
    expect((await store.getFinding(f.id))?.finding.status).toBe("suppressed");
  });

  it("refuses, whoever calls it, a suppression that is too broad, too long, on scan.* or without a reason", async () => {
    const now = new Date("2026-11-03T00:00:00Z");
    const { store } = await testStore("rules", { now: () => now, suppressionMaxDays: 30 });
    const refusals: Array<[Partial<NewSuppression> & Pick<NewSuppression, "checkId" | "pattern">, string]> = [
      [{ checkId: "sa.no-matching-fic", pattern: {} }, "pattern"],
      [{ checkId: "sa.no-matching-fic", pattern: { subscription: SUB_A } }, "pattern"],
      [{ checkId: "sa.no-matching-fic", pattern: { namespace: "**" } }, "namespace"],
      [{ checkId: "sa.no-matching-fic", pattern: { namespace: "a" }, fleetWide: true }, "fleetWide"],
      [{ checkId: "scan.forbidden", pattern: { cluster: "aks-one" } }, "checkId"],
      [{ checkId: "sa.no-matching-fic", pattern: { cluster: "aks-one" }, reason: "  " }, "reason"],
      [{ checkId: "sa.no-matching-fic", pattern: { cluster: "aks-one" }, expiresAt: "2026-12-31T00:00:00.000Z" }, "expiresAt"],
    ];
    for (const [input, parameter] of refusals) {
      await expect(store.createSuppression(suppression(input)), JSON.stringify(input)).rejects.toMatchObject({ name: "InvalidParameterError", parameter });
    }
    expect(await store.listSuppressions()).toEqual([]);
    const fleetWide = await store.createSuppression(suppression({ checkId: "sa.no-matching-fic", pattern: {}, fleetWide: true }));
    expect(fleetWide.fleetWide).toBe(true);
  });
});
