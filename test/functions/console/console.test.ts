/**
 * The console's handlers against the Azurite of the test setup, called as the
 * host calls them (real HttpRequest objects) and judged by the text a person
 * would read: roles, CSRF, headers, escaping of cluster values, bad input.
 * The real-browser tests are in test/browser.
 */
import { isolateCallers, signIn } from "../../support/callers.js";
import { callHandler, type CallInit } from "../../support/http.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findingPage, findingsPage, overviewPage, scansPage } from "../../../functions/console/pages.js";
import { liftAction, resendAction, startScanAction, suppressAction } from "../../../functions/console/actions.js";
import { consoleAsset } from "../../../functions/console/assets.js";
import { listFindings } from "../../../functions/http/findings.js";
import { useFindingsStore } from "../../../functions/http/store-instance.js";
import { APP_ROLES } from "../../../shared/auth/index.js";
import { CONTENT_SECURITY_POLICY } from "../../../shared/console/security.js";
import { TableClient } from "@azure/data-tables";
import { useCsrfKey } from "../../../functions/console/csrf-key-instance.js";
import { forgetOverview } from "../../../functions/console/overview-data.js";
import { tableNames } from "../../../shared/store/index.js";
import { CONSOLE_TABLE_SUFFIX, loadOrCreateCsrfKey } from "../../../shared/console/csrf-key.js";
import { azuriteConnectionString, clusterId, finding, health, saFinding, scanRun, SUB_A, testStore } from "../../store/fixtures.js";

isolateCallers();
const READER = [APP_ROLES.readFindings];
const WRITER = [APP_ROLES.readFindings, APP_ROLES.writeSuppressions];

const HOSTILE = `aks-"><script>alert(1)</script>`;
const hostile = finding(
  "sa.no-matching-fic",
  { subscriptionId: SUB_A, cluster: HOSTILE, clusterId: clusterId("aks-hostile"), namespace: "<img src=x onerror=alert(2)>", name: "api" },
  { title: "Title <b>bold</b>", evidence: { issuer: "<svg onload=alert(3)>" }, remediation: { text: "Fix it.", command: "kubectl annotate sa api 'a=<b>'" } },
);
const SUBSCRIPTION_NAME = "payments <b>prod</b>";
const low = saFinding("aks-one", "batch", "runner", "pod.label-missing", "low");
const high = saFinding("aks-one", "payments", "api");

async function page(handler: Parameters<typeof callHandler>[0], path: string, init: CallInit = {}) {
  const r = await callHandler(handler, path, init);
  return { ...r, text: String(r.body ?? "") };
}

function form(fields: Record<string, string>, headers: Record<string, string> = {}): CallInit {
  return {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://localhost", "sec-fetch-site": "same-origin", ...headers },
    body: new URLSearchParams(fields).toString(),
  };
}

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";
const errorOf = (html: string) => /id="error-message"[^>]*>([^<]*)</.exec(html)?.[1] ?? "";

/** The key table of a store, as each instance of the app reaches it. */
function keyTable(prefix: string): TableClient {
  return TableClient.fromConnectionString(azuriteConnectionString(), `${prefix}${CONSOLE_TABLE_SUFFIX}`, { allowInsecureConnection: true });
}

let storePrefix = "";
beforeAll(async () => {
  const { store, prefix } = await testStore("console");
  storePrefix = prefix;
  useFindingsStore(store);
  await keyTable(prefix).createTable();
  useCsrfKey(await loadOrCreateCsrfKey(keyTable(prefix)));
  const clusters = [health("aks-one"), { ...health("aks-hostile"), cluster: HOSTILE }];
  const all = [hostile, low, high];
  const run = { ...scanRun("scan-1", "2026-11-30T06:00:00.000Z", clusters, all), subscriptionNames: { [SUB_A.toLowerCase()]: SUBSCRIPTION_NAME } };
  await store.saveScan(run, all);
});
afterAll(() => {
  useFindingsStore(undefined);
  useCsrfKey(undefined);
});

describe("console pages", () => {
  it("serves the overview with a strict CSP, no caching, and every cluster value escaped", async () => {
    signIn("reader@example.com", ...READER);
    const r = await page(overviewPage, "console");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    expect(r.headers.get("cache-control")).toBe("no-store");
    // Under no-referrer a browser posts the page's own forms with "Origin: null", which must be refused.
    expect(r.headers.get("referrer-policy")).toBe("same-origin");
    expect(r.headers.get("content-type")).toMatch(/^text\/html/);
    expect(r.text).toContain('id="trend-chart"');
    expect(r.text).toContain("aks-&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(r.text).not.toContain("<script>alert");
    // No inline script or style for the CSP to refuse.
    expect(r.text).not.toMatch(/<script>|<style|style="| on[a-z]+="/);
  });

  it("names subscriptions as the scan's inventory did, with the id beneath and links filtering on the id", async () => {
    signIn("reader@example.com", ...READER);
    const r = await page(overviewPage, "console");
    expect(r.text).toContain("payments &lt;b&gt;prod&lt;/b&gt;");
    expect(r.text).not.toContain(SUBSCRIPTION_NAME);
    const row = r.text.slice(r.text.indexOf("payments &lt;b&gt;prod"));
    expect(row.slice(0, 400)).toContain(SUB_A.toLowerCase());
    expect(r.text).toContain(`subscription&#x3D;${SUB_A.toLowerCase()}">payments &lt;b&gt;prod`);
  });

  it("escapes a hostile finding on its own page and offers no suppress form to a reader", async () => {
    signIn("reader@example.com", ...READER);
    const r = await page(findingPage, `console/findings/${hostile.id}`, { params: { id: hostile.id } });
    expect(r.status).toBe(200);
    expect(r.text).toContain("Title &lt;b&gt;bold&lt;/b&gt;");
    expect(r.text).toContain("&lt;svg onload&#x3D;alert(3)&gt;");
    expect(r.text).toContain("&lt;img src&#x3D;x onerror&#x3D;alert(2)&gt;");
    expect(r.text).not.toMatch(/<svg onload|<img src=x|<b>bold/);
    // The subscription by the name its scan kept, escaped, with the id beside it.
    expect(r.text).toContain(`payments &lt;b&gt;prod&lt;/b&gt; (${SUB_A})`);
    expect(r.text).not.toContain(SUBSCRIPTION_NAME);
    expect(r.text).toContain('id="copy-command"');
    expect(r.text).not.toContain('id="suppress-form"');
  });

  it("filters findings as GET /api/findings does, and links exports of the same filter", async () => {
    signIn("reader@example.com", ...READER);
    const r = await page(findingsPage, "console/findings?severity=low&check=&cluster=");
    expect(r.status).toBe(200);
    expect(r.text).toContain(`/api/console/findings/${low.id}`);
    expect(r.text).not.toContain(`/api/console/findings/${high.id}`);
    expect(r.text).toContain(`<span class="muted">payments &lt;b&gt;prod&lt;/b&gt; (${SUB_A})</span>`);
    expect(r.text).toContain('id="export-sarif" href="/api/findings?severity&#x3D;low&amp;pageSize&#x3D;1000&amp;format&#x3D;sarif"');
  });

  for (const [query, parameter] of [
    ["severity=critical", "severity"],
    ["since=yesterday", "since"],
    ["sort=random", "sort"],
    ["colour=red", "colour"],
  ]) {
    it(`answers ${query} with a 400 page naming ${parameter}`, async () => {
      signIn("reader@example.com", ...READER);
      const r = await page(findingsPage, `console/findings?${query}`);
      expect(r.status).toBe(400);
      expect(r.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
      expect(errorOf(r.text)).toMatch(new RegExp(`^${parameter}`));
    });
  }

  it("counts on the overview what the findings page lists, from kept counts or, for a store saved before them, from every finding (and says so)", async () => {
    signIn("reader@example.com", ...READER);
    const severityCounts = (html: string) => [...html.matchAll(/severity&#x3D;(\w+)"><span class="n">(\d+)</g)].map((m) => [m[1], Number(m[2])]);
    const listed = async (severity: string) => (await page(findingsPage, `console/findings?severity=${severity}`)).text.match(/<tr><td data-label="Severity"/g)?.length ?? 0;
    forgetOverview();
    const counted = await page(overviewPage, "console");
    expect(counted.text).not.toContain('id="counts-missing"');
    const shown = severityCounts(counted.text);
    expect(shown).toEqual([["high", 2], ["medium", 0], ["low", 1], ["info", 0]]);
    for (const [severity, count] of shown) expect(await listed(String(severity))).toBe(count);

    const scans = TableClient.fromConnectionString(azuriteConnectionString(), tableNames(storePrefix).scans, { allowInsecureConnection: true });
    for await (const row of scans.listEntities({ queryOptions: { filter: "PartitionKey eq 'counts'" } })) await scans.deleteEntity("counts", row.rowKey!);
    forgetOverview();
    const read = await page(overviewPage, "console");
    expect(read.text).toContain('id="counts-missing"');
    expect(severityCounts(read.text)).toEqual(shown);
  });

  it("sends a caller with no session to sign in", async () => {
    const r = await page(overviewPage, "console");
    expect(r.status).toBe(401);
    expect(r.text).toContain('href="/.auth/login/aad?post_login_redirect_uri&#x3D;%2Fapi%2Fconsole"');
  });

  it("serves CSV, JSON, SARIF and OCSF exports of the API's filter; CSV and JSON name the subscription beside its id", async () => {
    signIn("reader@example.com", ...READER);
    const [header, row] = String((await callHandler(listFindings, "findings?severity=low&format=csv")).body).split("\r\n");
    const columns = header!.split(",");
    expect(columns.at(-1)).toBe("subscriptionName");
    expect(row!.split(",").at(-1)).toBe(SUBSCRIPTION_NAME);
    expect(row!.split(",")[columns.indexOf("subscriptionId")]).toBe(SUB_A);
    const json = (await callHandler(listFindings, "findings?severity=low")).json as unknown as { items: Array<{ subscriptionName?: string; resource: { subscriptionId: string } }> };
    expect(json.items.map((f) => [f.resource.subscriptionId, f.subscriptionName])).toEqual([[SUB_A, SUBSCRIPTION_NAME]]);
    const sarif = await callHandler(listFindings, "findings?severity=low&format=sarif");
    expect(sarif.headers.get("content-type")).toBe("application/sarif+json");
    const log = JSON.parse(String(sarif.body)) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
    expect(log.runs[0]!.results.map((x) => x.ruleId)).toEqual(["pod.label-missing"]);
    const ocsf = await callHandler(listFindings, "findings?severity=low&format=ocsf");
    expect(String(ocsf.body)).toContain("pod.label-missing");
  });

  it("serves its stylesheet", async () => {
    const r = await callHandler(consoleAsset, "console/assets/console.css", { params: { name: "console.css" } });
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/^text\/css/);
  });
});

describe("console actions", () => {
  it("signs forms with one key for every instance, made once in the store", async () => {
    const { prefix } = await testStore("consolekey");
    await keyTable(prefix).createTable();
    const [first, second] = await Promise.all([loadOrCreateCsrfKey(keyTable(prefix)), loadOrCreateCsrfKey(keyTable(prefix))]);
    expect(first.length).toBe(32);
    expect(second.equals(first)).toBe(true);
    expect((await loadOrCreateCsrfKey(keyTable(prefix))).equals(first)).toBe(true);
  });

  const suppressPath = `console/findings/${low.id}/suppress`;
  const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

  async function tokenFor(...roles: string[]): Promise<string> {
    signIn("writer@example.com", ...roles);
    const r = await page(findingPage, `console/findings/${low.id}`, { params: { id: low.id } });
    return csrfOf(r.text);
  }

  it("refuses a reader's suppression with 403 naming the role", async () => {
    signIn("reader@example.com", ...READER);
    const r = await page(suppressAction, suppressPath, { ...form({ csrf: "x", scope: "resource", reason: "r", expiresAt: inDays(10) }), params: { id: low.id } });
    expect(r.status).toBe(403);
    expect(errorOf(r.text)).toContain("Suppressions.Write");
  });

  it("refuses a form without a valid token, from another site, or with another caller's token", async () => {
    const token = await tokenFor(...WRITER);
    const fields = { scope: "resource", reason: "r", expiresAt: inDays(10) };
    const forged = await page(suppressAction, suppressPath, { ...form({ ...fields, csrf: "abc.def" }), params: { id: low.id } });
    expect(forged.status).toBe(403);
    expect(errorOf(forged.text)).toContain("security token");
    const crossSite = await page(suppressAction, suppressPath, { ...form({ ...fields, csrf: token }, { "sec-fetch-site": "cross-site" }), params: { id: low.id } });
    expect(crossSite.status).toBe(403);
    const otherOrigin = await page(suppressAction, suppressPath, { ...form({ ...fields, csrf: token }, { origin: "https://evil.example" }), params: { id: low.id } });
    expect(otherOrigin.status).toBe(403);
    const opaqueOrigin = await page(suppressAction, suppressPath, { ...form({ ...fields, csrf: token }, { origin: "null" }), params: { id: low.id } });
    expect(opaqueOrigin.status).toBe(403);
    signIn("mallory@example.com", ...WRITER);
    const stolen = await page(suppressAction, suppressPath, { ...form({ ...fields, csrf: token }), params: { id: low.id } });
    expect(stolen.status).toBe(403);
  });

  it("answers a suppression the governance rules refuse with a 400 page saying why", async () => {
    const token = await tokenFor(...WRITER);
    const r = await page(suppressAction, suppressPath, { ...form({ csrf: token, scope: "resource", reason: "r", expiresAt: inDays(400) }), params: { id: low.id } });
    expect(r.status).toBe(400);
    expect(errorOf(r.text)).toMatch(/expiresAt/);
  });

  it("suppresses with the writer's role and token, then lifts; both show in the finding's history", async () => {
    const token = await tokenFor(...WRITER);
    const done = await page(suppressAction, suppressPath, { ...form({ csrf: token, scope: "namespace", reason: "batch jobs never call Azure", expiresAt: inDays(20) }), params: { id: low.id } });
    expect(done.status).toBe(303);
    expect(done.headers.get("location")).toBe(`/api/console/findings/${low.id}?done=suppressed`);

    const shown = await page(findingPage, `console/findings/${low.id}?done=suppressed`, { params: { id: low.id } });
    expect(shown.text).toContain('id="notice"');
    expect(shown.text).toMatch(/Suppressed by <b>writer@example.com<\/b> until .*: batch jobs never call Azure/);
    const liftAt = /id="lift-form" method="post" action="\/api\/([^"]+)"/.exec(shown.text)![1]!;
    const suppressionId = decodeURIComponent(liftAt.split("/")[2]!);

    const lifted = await page(liftAction, liftAt, { ...form({ csrf: csrfOf(shown.text), reason: "jobs now use workload identity", finding: low.id }), params: { id: suppressionId } });
    expect(lifted.status).toBe(303);
    const after = await page(findingPage, `console/findings/${low.id}`, { params: { id: low.id } });
    expect(after.text).toContain("Suppression lifted</td>");
    expect(after.text).toContain("lifted by writer@example.com: jobs now use workload identity");
    expect(after.text).toContain("Suppressed</td>");
  });

  it("shows the start-scan form only to Scans.Start, and without Durable Functions (wiscan serve) says where scans start", async () => {
    signIn("reader@example.com", ...READER);
    expect((await page(scansPage, "console/scans")).text).not.toContain('id="start-scan-form"');
    const refused = await page(startScanAction, "console/scans", form({ csrf: "x", target: "aks-one" }));
    expect(refused.status).toBe(403);
    expect(errorOf(refused.text)).toContain("Scans.Start");

    signIn("operator@example.com", APP_ROLES.readFindings, APP_ROLES.startScans);
    const scans = await page(scansPage, "console/scans");
    expect(scans.text).toContain('id="start-scan-form"');
    const local = await page(startScanAction, "console/scans", form({ csrf: csrfOf(scans.text), target: "aks-one" }));
    expect(local.status).toBe(503);
    expect(errorOf(local.text)).toContain("Durable Functions");
  });

  it("refuses a digest resend without Digests.Send", async () => {
    signIn("reader@example.com", ...READER);
    const r = await page(resendAction, "console/digests/scan-1/resend", { ...form({ csrf: "x" }), params: { scanId: "scan-1" } });
    expect(r.status).toBe(403);
    expect(errorOf(r.text)).toContain("Digests.Send");
  });
});
