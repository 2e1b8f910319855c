import { callHandler } from "../../support/http.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFinding, listFindings, CONTINUATION_HEADER } from "../../../functions/http/findings.js";
import { getScan, listScans } from "../../../functions/http/scans.js";
import { useFindingsStore } from "../../../functions/http/store-instance.js";
import type { Finding } from "../../../shared/findings/index.js";
import { health, saFinding, scanRun, testStore } from "../../store/fixtures.js";


const call = callHandler;

const S1 = "2026-11-02T06:00:00.000Z";
const S2 = "2026-11-09T06:00:00.000Z";
const high = Array.from({ length: 12 }, (_, i) => saFinding("aks-one", "payments", `api-${i}`));
const low = saFinding("aks-one", "batch", "runner", "pod.label-missing", "low");
const gone = saFinding("aks-one", "old", "legacy");
const all: Finding[] = [...high, low];

beforeAll(async () => {
  const { store } = await testStore("httpapi");
  useFindingsStore(store);
  await store.saveScan(scanRun("scan-1", S1, [health("aks-one")], [...all, gone]), [...all, gone]);
  await store.saveScan(scanRun("scan-2", S2, [health("aks-one"), health("aks-two", "unreachable")], all), all);
});
afterAll(() => useFindingsStore(undefined));

describe("GET /api/findings", () => {
  it("lists open findings by default, and filters by severity and check", async () => {
    const open = await call(listFindings, "findings?pageSize=1000");
    expect(open.status).toBe(200);
    expect((open.json["items"] as Finding[]).map((f) => f.id).sort()).toEqual(all.map((f) => f.id).sort());

    const lowOnly = await call(listFindings, "findings?severity=low&check=pod.label-missing");
    expect((lowOnly.json["items"] as Finding[]).map((f) => f.id)).toEqual([low.id]);
  });

  it("lists resolved findings when asked", async () => {
    const resolved = await call(listFindings, "findings?status=resolved");
    expect(resolved.json["items"]).toEqual([expect.objectContaining({ id: gone.id, status: "resolved", resolvedScanId: "scan-2" })]);
  });

  it("pages with a continuation token until every finding was returned once", async () => {
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = await call(listFindings, `findings?pageSize=5${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`);
      expect(r.status).toBe(200);
      ids.push(...(r.json["items"] as Finding[]).map((f) => f.id));
      token = r.json["continuationToken"] as string | undefined;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(1);
    expect(ids.sort()).toEqual(all.map((f) => f.id).sort());
  });

  it("returns CSV with a header line and the continuation token in a header", async () => {
    const r = await call(listFindings, "findings?format=csv&pageSize=5");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/csv/);
    const lines = String(r.body).trimEnd().split("\r\n");
    expect(lines[0]?.startsWith("id,status,severity,checkId,")).toBe(true);
    expect(lines).toHaveLength(6);
    expect(r.headers.get(CONTINUATION_HEADER)).toBeTruthy();
  });

  for (const [query, parameter] of [
    ["severity=critical", "severity"],
    ["status=closed", "status"],
    ["check=no.such-check", "check"],
    ["subscription=not-a-guid", "subscription"],
    ["identity=42", "identity"],
    ["since=last%20week", "since"],
    ["pageSize=0", "pageSize"],
    ["pageSize=5000", "pageSize"],
    ["format=xml", "format"],
    ["severty=high", "severty"],
    ["severity=high&severity=low", "severity"],
    ["continuationToken=%27%20or%20true", "continuationToken"],
    ["continuationToken=bm90LWEtdG9rZW4", "continuationToken"],
    ["namespace=", "namespace"],
  ] as const) {
    it(`answers 400 naming ${parameter} for ${query}`, async () => {
      const r = await call(listFindings, `findings?${query}`);
      expect(r.status).toBe(400);
      expect(r.json["error"]).toMatchObject({ parameter, message: expect.stringContaining(parameter) });
      expect(r.errors).toEqual([]);
    });
  }

  it("matches nothing for a filter value that tries to widen the query", async () => {
    for (const name of ["namespace", "cluster"]) {
      const r = await call(listFindings, `findings?status=all&${name}=${encodeURIComponent("' or true or '")}`);
      expect(r.status).toBe(200);
      expect(r.json["items"]).toEqual([]);
    }
  });
});

describe("GET /api/findings/{id}", () => {
  it("returns the finding with its history", async () => {
    const r = await call(getFinding, `findings/${gone.id}`, { params: { id: gone.id } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      finding: { id: gone.id, status: "resolved" },
      history: [{ scanId: "scan-1", event: "new" }, { scanId: "scan-2", event: "resolved" }],
    });
  });

  it("answers 404 for an unknown id", async () => {
    const r = await call(getFinding, "findings/x' or true or 'x", { params: { id: "x' or true or 'x" } });
    expect(r.status).toBe(404);
  });
});

describe("GET /api/scans", () => {
  it("lists scans newest first", async () => {
    const r = await call(listScans, "scans");
    expect((r.json["items"] as Array<{ id: string }>).map((s) => s.id)).toEqual(["scan-2", "scan-1"]);
  });

  it("shows a scan's counts and the health of each cluster", async () => {
    const r = await call(getScan, "scans/scan-2", { params: { id: "scan-2" } });
    expect(r.status).toBe(200);
    expect(r.json["scan"]).toMatchObject({ id: "scan-2", complete: false, counts: { clusters: 2, clustersScanned: 1, findings: 13 } });
    expect(r.json["clusters"]).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ cluster: "aks-one", status: "ok" }),
        expect.objectContaining({ cluster: "aks-two", status: "unreachable", reason: "cluster unreachable" }),
      ]),
    );
    expect((await call(getScan, "scans/nope", { params: { id: "nope" } })).status).toBe(404);
  });
});

describe("without a configured store", () => {
  it("answers 503 and says the store is not configured", async () => {
    useFindingsStore(undefined);
    const saved = { ...process.env };
    delete process.env["FINDINGS_STORAGE_CONNECTION_STRING"];
    delete process.env["FINDINGS_STORAGE_ACCOUNT_URL"];
    try {
      const r = await call(listFindings, "findings");
      expect(r.status).toBe(503);
      expect(r.json["error"]).toMatchObject({ code: "store-not-configured" });
    } finally {
      process.env = saved;
    }
  });
});
