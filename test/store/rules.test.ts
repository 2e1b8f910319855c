import { describe, expect, it } from "vitest";
import { findingsCsv, csvCell } from "../../shared/store/csv.js";
import { planTransactions, type WriteAction } from "../../shared/store/batch.js";
import { effectiveStatus, observe, resolveAbsent } from "../../shared/store/lifecycle.js";
import type { StoredFinding, Suppression } from "../../shared/store/model.js";
import { parseFindingQuery, parsePageRequest } from "../../shared/store/params.js";
import { planFindingQuery } from "../../shared/store/query.js";
import { applicableSuppression, globMatches } from "../../shared/store/suppression.js";
import { saFinding, SUB_A } from "./fixtures.js";

const now = new Date("2026-11-10T00:00:00Z");
const suppression = (overrides: Partial<Suppression> = {}): Suppression => ({
  id: "s1",
  checkId: "sa.no-matching-fic",
  pattern: {},
  reason: "accepted",
  createdBy: "alice",
  createdById: "00000000-0000-0000-0000-00000000a11c",
  createdAt: "2026-11-01T00:00:00.000Z",
  expiresAt: "2026-12-01T00:00:00.000Z",
  ...overrides,
});

describe("suppression matching", () => {
  const f = saFinding("aks-prod-1", "istio-system", "ingress");

  it("matches globs case-insensitively and anchored at both ends", () => {
    expect(globMatches("istio-*", "istio-system")).toBe(true);
    expect(globMatches("ISTIO-*", "istio-system")).toBe(true);
    expect(globMatches("istio", "istio-system")).toBe(false);
    expect(globMatches("a.c", "abc")).toBe(false);
    expect(globMatches("*", undefined)).toBe(false);
  });

  it("applies when check and every given pattern field match, by cluster name or id", () => {
    expect(applicableSuppression(f, [suppression({ pattern: { subscription: SUB_A, cluster: "aks-prod-*", namespace: "istio-system", name: "ingress" } })], now)?.id).toBe("s1");
    expect(applicableSuppression(f, [suppression({ pattern: { cluster: "*/managedclusters/aks-prod-1" } })], now)?.id).toBe("s1");
    expect(applicableSuppression(f, [suppression({ pattern: { namespace: "default" } })], now)).toBeUndefined();
    expect(applicableSuppression(f, [suppression({ checkId: "pod.label-missing" })], now)).toBeUndefined();
  });

  it("stops applying at its expiry, and prefers the suppression lasting longest", () => {
    expect(applicableSuppression(f, [suppression({ expiresAt: "2026-11-10T00:00:00.000Z" })], now)).toBeUndefined();
    const longer = suppression({ id: "s2", expiresAt: "2027-06-01T00:00:00.000Z" });
    expect(applicableSuppression(f, [suppression(), longer], now)?.id).toBe("s2");
  });
});

describe("lifecycle", () => {
  const f = saFinding("aks", "ns", "sa");
  const s1 = { id: "scan-1", startedAt: "2026-11-02T06:00:00Z" };
  const s2 = { id: "scan-2", startedAt: "2026-11-09T06:00:00Z" };
  const s3 = { id: "scan-3", startedAt: "2026-11-16T06:00:00Z" };

  it("gives the same row and event when the same scan is applied twice", () => {
    const first = observe(undefined, f, s1, undefined);
    const again = observe(first.next, f, s1, undefined);
    expect(again).toEqual(first);
    expect(first.event).toBe("new");
  });

  it("reopens a resolved finding and forgets its resolution", () => {
    const seen = observe(undefined, f, s1, undefined).next!;
    const resolved = resolveAbsent(seen, s2)!;
    expect(resolved).toMatchObject({ status: "resolved", resolvedScanId: "scan-2" });
    const back = observe(resolved, f, s3, undefined);
    expect(back.event).toBe("reopened");
    expect(back.next).toMatchObject({ status: "open", openedScanId: "scan-3", firstSeenScanId: "scan-1" });
    expect(back.next?.resolvedAt).toBeUndefined();
    expect(observe(back.next, f, s3, undefined).event).toBe("reopened");
  });

  it("does not let an older scan saved late roll the state back", () => {
    const latest = observe(undefined, f, s2, undefined).next!;
    expect(observe(latest, f, s1, undefined).next).toBeUndefined();
    expect(resolveAbsent(latest, s1)).toBeUndefined();
  });

  it("shows a suppressed finding as open once its suppression expired", () => {
    const suppressed = observe(undefined, f, s1, suppression()).next as StoredFinding;
    expect(effectiveStatus(suppressed, now)).toBe("suppressed");
    expect(effectiveStatus(suppressed, new Date("2026-12-01T00:00:00Z"))).toBe("open");
  });
});

describe("findings query plans", () => {
  const q = (params: Record<string, string>) => parseFindingQuery((name) => params[name]);

  it("serves open findings of one severity from one partition of the active view", () => {
    expect(planFindingQuery(q({ severity: "high" }), now)).toEqual({
      table: "active",
      filter: "(PartitionKey eq 'high') and ((status eq 'open' or (status eq 'suppressed' and suppressedUntil le datetime'2026-11-10T00:00:00.000Z')))",
    });
  });

  it("serves a cluster given by id from its partition of the current state", () => {
    const plan = planFindingQuery(q({ cluster: "/subscriptions/x/managedClusters/A", status: "all" }), now);
    expect(plan).toEqual({ table: "current", filter: "(PartitionKey eq 'c|~2fsubscriptions~2fx~2fmanagedclusters~2fa')" });
  });

  it("doubles quotes of filter values, so they stay inside their literal", () => {
    const plan = planFindingQuery(q({ namespace: "' or true or '", status: "all" }), now);
    expect(plan.filter).toBe("(namespace eq ''' or true or ''')");
  });

  it("caps the page size and refuses a malformed token", () => {
    expect(parsePageRequest(() => undefined).pageSize).toBe(100);
    expect(() => parsePageRequest((n) => (n === "pageSize" ? "1001" : undefined))).toThrow(/pageSize/);
    expect(() => parsePageRequest((n) => (n === "continuationToken" ? "a b" : undefined))).toThrow(/continuationToken/);
  });
});

describe("CSV", () => {
  it("quotes commas, quotes and line breaks, and defuses spreadsheet formulas", () => {
    expect(csvCell('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvCell("=HYPERLINK(\"http://x\")")).toBe("\"'=HYPERLINK(\"\"http://x\"\")\"");
    expect(csvCell("@sum")).toBe("'@sum");
    expect(findingsCsv([])).toMatch(/^id,status,severity,[a-zA-Z,]+\r\n$/);
  });
});

describe("transaction planning", () => {
  const upsert = (pk: string, rk: string, size = 10): WriteAction => ({ kind: "upsert", row: { partitionKey: pk, rowKey: rk, blob: "x".repeat(size) } });

  it("groups per partition, at most 100 actions each, keeping the last write of a row", () => {
    const actions = [...Array.from({ length: 250 }, (_, i) => upsert("a", `r${i}`)), upsert("b", "r0"), upsert("a", "r0", 20)];
    const plan = planTransactions(actions);
    expect(plan.map((t) => t.length)).toEqual([100, 100, 50, 1]);
    expect(plan.every((t) => new Set(t.map((a) => (a.kind === "upsert" ? a.row.partitionKey : a.partitionKey))).size === 1)).toBe(true);
    const r0 = plan.flat().find((a) => a.kind === "upsert" && a.row.partitionKey === "a" && a.row.rowKey === "r0");
    expect(r0?.kind === "upsert" && String(r0.row["blob"]).length).toBe(20);
  });

  it("keeps a transaction under the payload limit when entities are large", () => {
    const plan = planTransactions(Array.from({ length: 100 }, (_, i) => upsert("a", `r${i}`, 60_000)));
    expect(plan.length).toBeGreaterThan(1);
    expect(plan.every((t) => t.length * 60_000 < 4 * 1024 * 1024)).toBe(true);
  });
});
