import { beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../shared/findings/index.js";
import { findingsCsv, InvalidParameterError, type FindingsStore } from "../../shared/store/index.js";
import { allOf, clusterId, finding, health, saFinding, scanRun, SUB_A, SUB_B, testStore } from "./fixtures.js";

const S1 = "2026-11-02T06:00:00.000Z";

describe("querying findings", () => {
  let store: FindingsStore;
  const findings: Finding[] = [];
  for (let i = 0; i < 30; i++) findings.push(saFinding("aks-one", i % 2 ? "payments" : "web", `sa-${i}`, i % 3 ? "sa.no-matching-fic" : "pod.label-missing", i % 3 ? "high" : "low"));
  const quoteName = saFinding("aks-two", "o'brien", "it's-a-name");
  findings.push(quoteName);
  const otherSub = finding("fic.dangling", { subscriptionId: SUB_B, kind: "FederatedCredential", name: "fic-1", identityClientId: "BBBBBBBB-0000-0000-0000-000000000002" }, { severity: "medium" });
  findings.push(otherSub);

  beforeAll(async () => {
    ({ store } = await testStore("queries"));
    await store.saveScan(scanRun("scan-1", S1, [health("aks-one"), health("aks-two")], findings), findings);
  });

  const ids = (items: ReadonlyArray<{ id: string }>) => items.map((f) => f.id).sort();
  const all = (q: Parameters<FindingsStore["allFindings"]>[0]) => allOf(store.allFindings(q, 7));

  it("filters open findings fleet-wide by severity and by check", async () => {
    expect(ids(await all({ status: "open", severity: "low" }))).toEqual(ids(findings.filter((f) => f.severity === "low")));
    expect(ids(await all({ status: "open", checkId: "pod.label-missing" }))).toEqual(ids(findings.filter((f) => f.checkId === "pod.label-missing")));
    expect(ids(await all({ status: "open", checkId: "sa.no-matching-fic", severity: "high" }))).toEqual(
      ids(findings.filter((f) => f.checkId === "sa.no-matching-fic" && f.severity === "high")),
    );
  });

  it("filters by subscription, cluster (name or id), namespace and identity", async () => {
    expect(ids(await all({ status: "open", subscription: SUB_B }))).toEqual([otherSub.id]);
    expect(ids(await all({ status: "open", subscription: SUB_A }))).toHaveLength(31);
    expect(ids(await all({ status: "open", cluster: "AKS-TWO" }))).toEqual([quoteName.id]);
    expect(ids(await all({ status: "open", cluster: clusterId("aks-two").toUpperCase() }))).toEqual([quoteName.id]);
    expect(ids(await all({ status: "open", namespace: "payments" }))).toHaveLength(15);
    expect(ids(await all({ status: "open", identity: "bbbbbbbb-0000-0000-0000-000000000002" }))).toEqual([otherSub.id]);
  });

  it("matches values with quotes exactly", async () => {
    expect(ids(await all({ status: "open", namespace: "o'brien" }))).toEqual([quoteName.id]);
  });

  for (const attempt of ["' or true or '", "x' or PartitionKey ne '", "') or (1 eq 1", "web' or namespace ne 'web"]) {
    it(`matches nothing extra when a filter value is ${JSON.stringify(attempt)}`, async () => {
      expect(await all({ status: "open", namespace: attempt })).toEqual([]);
      expect(await all({ status: "all", cluster: attempt })).toEqual([]);
      expect(await all({ status: "open", cluster: `/subscriptions/${attempt}` })).toEqual([]);
      expect(await store.getFinding(attempt)).toBeUndefined();
      expect(await store.getScan(attempt)).toBeUndefined();
    });
  }

  it("pages through more than one page with continuation tokens, without repeats or gaps", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.listFindings({ status: "open" }, { pageSize: 10, ...(token !== undefined && { continuationToken: token }) });
      expect(page.items.length).toBeLessThanOrEqual(10);
      seen.push(...page.items.map((f) => f.id));
      token = page.continuationToken;
      pages++;
    } while (token !== undefined);
    expect(pages).toBeGreaterThan(3);
    expect(seen.sort()).toEqual(ids(findings));
  });

  it("refuses a continuation token from another query, or one it did not issue", async () => {
    const first = await store.listFindings({ status: "open" }, { pageSize: 5 });
    expect(first.continuationToken).toBeDefined();
    await expect(store.listFindings({ status: "open", severity: "high" }, { pageSize: 5, continuationToken: first.continuationToken! })).rejects.toThrow(
      InvalidParameterError,
    );
    await expect(store.listFindings({ status: "open" }, { pageSize: 5, continuationToken: "bm90LWEtdG9rZW4" })).rejects.toThrow(/continuationToken/);
  });

  it("exports findings as CSV, one line per finding, with quotes and commas escaped", async () => {
    const csv = findingsCsv(await all({ status: "open", cluster: "aks-two" }));
    const lines = csv.trimEnd().split("\r\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^id,status,severity,checkId,title,/);
    expect(lines[1]).toContain(`${quoteName.id},open,high,sa.no-matching-fic,`);
    expect(lines[1]).toContain(",o'brien,ServiceAccount,it's-a-name,");
  });
});
