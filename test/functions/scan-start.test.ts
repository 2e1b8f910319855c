/**
 * POST /api/scans with real HttpRequest objects, the real DurableClient against
 * a loopback stand-in of the extension, the findings store and the request
 * counter on Azurite. The caller is the development principal (WISCAN_DEV_PRINCIPAL).
 */
import azfn from "@azure/functions";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { FleetScanInput } from "../../functions/durable/model.js";
import { useFindingsStore } from "../../functions/http/store-instance.js";
import { useWindowCounter } from "../../functions/runtime/rate-limiter.js";
import { startScan } from "../../functions/scans/start.js";
import { createWindowCounter, type WindowCounter } from "../../shared/ratelimit/index.js";
import type { FindingsStore } from "../../shared/store/index.js";
import { azuriteConnectionString, scanRun, testStore } from "../store/fixtures.js";
import { FUNCTION_KEY, startDurableExtension, type DurableExtension } from "./durable/durable-extension.js";

const { HttpRequest } = azfn;

const SUB_A = "00000000-0000-0000-0000-00000000000a";
const SUB_B = "00000000-0000-0000-0000-00000000000b";
const SUB_OTHER = "00000000-0000-0000-0000-0000000000ff";
const ONCALL = JSON.stringify({ name: "oncall@example.com", roles: ["Scans.Start", "Findings.Read"] });
const READER = JSON.stringify({ name: "analyst@example.com", roles: ["Findings.Read"] });
/** Fixed inside one hour, so the test never straddles a window boundary: 45 minutes left in it. */
const CLOCK = () => new Date("2026-11-30T06:15:00.000Z");

let extension: DurableExtension;
let store: FindingsStore;
let counterSeq = 0;

/** A fresh counter table (a budget of its own); a second counter on the same table is a second instance. */
async function counters(): Promise<[WindowCounter, WindowCounter]> {
  const tablePrefix = `rl${process.pid}x${counterSeq++}`;
  const config = { kind: "connection-string" as const, connectionString: azuriteConnectionString(), retentionDays: 90 };
  return [await createWindowCounter(config, { tablePrefix, now: CLOCK }), await createWindowCounter(config, { tablePrefix, now: CLOCK })];
}

beforeAll(async () => {
  extension = await startDurableExtension();
  ({ store } = await testStore("scanstart"));
  useFindingsStore(store);
});
afterAll(() => {
  useFindingsStore(undefined);
  return extension.close();
});

beforeEach(async () => {
  vi.stubEnv("SCAN_SUBSCRIPTIONS", `${SUB_A},${SUB_B}`);
  vi.stubEnv("SCAN_MANAGEMENT_GROUPS", "");
  vi.stubEnv("MAIL_TRANSPORT", "none");
  vi.stubEnv("WISCAN_DEV_PRINCIPAL", ONCALL);
  useWindowCounter((await counters())[0]);
});
afterEach(() => {
  vi.unstubAllEnvs();
  useWindowCounter(undefined);
  extension.instances.clear();
  extension.started.length = 0;
});

function post(body?: unknown, raw?: string) {
  const text = raw ?? (body === undefined ? "" : JSON.stringify(body));
  return new HttpRequest({
    method: "POST",
    url: "https://wiscan-func.azurewebsites.net/api/scans?code=abc",
    headers: { "content-type": "application/json" },
    body: { string: text },
  });
}

async function call(request: InstanceType<typeof HttpRequest>) {
  const response = await startScan(request, extension.context("scans-start"));
  return { status: response.status, body: response.jsonBody as Record<string, unknown>, headers: new Headers(response.headers as Record<string, string>) };
}

/** Nothing in an answer that could manage orchestrations: no key, no webhook URL. */
function expectNoSecret(response: Awaited<ReturnType<typeof call>>) {
  const everything = JSON.stringify(response.body) + JSON.stringify([...response.headers.entries()]);
  expect(everything).not.toContain("code=");
  expect(everything).not.toContain(FUNCTION_KEY);
  expect(everything).not.toMatch(/runtime\/webhooks|durabletask|terminate|purge|sendEventPostUri|statusQueryGetUri/i);
}

const problemsOf = (response: Awaited<ReturnType<typeof call>>) => (response.body["error"] as { problems: string[] }).problems;

describe("POST /api/scans", () => {
  it("starts a scan of the configured subscriptions for an empty body and answers 202 with its own status URL", async () => {
    const response = await call(post());
    expect(response.status).toBe(202);
    const id = response.body["id"] as string;
    expect(id).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(response.body).toEqual({ id, statusUrl: `https://wiscan-func.azurewebsites.net/api/scans/${id}` });
    expect(response.headers.get("location")).toBe(response.body["statusUrl"]);
    expectNoSecret(response);

    expect(extension.started).toHaveLength(1);
    expect(extension.started[0]).toMatchObject({ name: "fleet-scan", instanceId: id });
    expect(extension.started[0]!.input).toEqual({ trigger: "http", scope: { subscriptions: [SUB_A, SUB_B], managementGroups: [], clusters: [] }, sendDigest: false } satisfies FleetScanInput);
  });

  it("starts a scan of the named subscription and clusters, sending the digest when asked", async () => {
    const cluster = `/subscriptions/${SUB_A}/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/shop-aks`;
    const response = await call(post({ subscriptions: [SUB_A], clusters: ["payments-aks", cluster], sendDigest: true }));
    expect(response.status).toBe(202);
    expect(extension.started[0]!.input).toEqual({
      trigger: "http",
      scope: { subscriptions: [SUB_A], managementGroups: [], clusters: ["payments-aks", cluster] },
      sendDigest: true,
    });
  });

  it("answers 401 without a caller and 403 to a caller without Scans.Start, starting nothing", async () => {
    vi.stubEnv("WISCAN_DEV_PRINCIPAL", "");
    const anonymous = await call(post());
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("www-authenticate")).toMatch(/^Bearer/);

    vi.stubEnv("WISCAN_DEV_PRINCIPAL", READER);
    const reader = await call(post());
    expect(reader.status).toBe(403);
    expect(reader.body["error"]).toMatchObject({ code: "forbidden", role: "Scans.Start" });
    expect(extension.started).toHaveLength(0);
  });

  it("answers 400 naming every invalid field, and starts nothing", async () => {
    const response = await call(post({ subscriptions: ["not-a-guid"], clusters: ["no spaces allowed"], sendDigest: "yes", force: true }));
    expect(response.status).toBe(400);
    expect(response.body["error"]).toMatchObject({ code: "invalid-parameter", parameter: expect.any(String) });
    expect(problemsOf(response)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^subscriptions\[0\]: must be a subscription id/),
        expect.stringMatching(/^clusters\[0\]: must be a cluster name/),
        expect.stringMatching(/^sendDigest: must be true or false/),
        expect.stringMatching(/force/),
      ]),
    );
    expect(extension.started).toHaveLength(0);
  });

  it("answers 400 for a body that is not JSON, in the API's one error shape", async () => {
    const response = await call(post(undefined, "{subscriptions:"));
    expect(response.status).toBe(400);
    expect(response.body["error"]).toEqual({ code: "invalid-parameter", parameter: "body", message: "body: is not valid JSON" });
  });

  it("refuses a subscription or a cluster outside SCAN_SUBSCRIPTIONS, naming it", async () => {
    const outside = `/subscriptions/${SUB_OTHER}/resourceGroups/rg-x/providers/Microsoft.ContainerService/managedClusters/x-aks`;
    const response = await call(post({ subscriptions: [SUB_A, SUB_OTHER] }));
    expect(response.status).toBe(400);
    expect(response.body["error"]).toMatchObject({ parameter: "subscriptions[1]" });
    expect(problemsOf(response)).toEqual([`subscriptions[1]: ${SUB_OTHER} is not one of the subscriptions this scan covers (SCAN_SUBSCRIPTIONS or the request's subscriptions)`]);

    const cluster = await call(post({ clusters: ["shop-aks", outside] }));
    expect(cluster.status).toBe(400);
    expect(problemsOf(cluster)).toEqual([expect.stringMatching(new RegExp(`^clusters\\[1\\]: ${outside} lies outside the scan's scope: ${SUB_OTHER} is not one`))]);

    // A cluster id must also lie in the subscriptions the request narrows to.
    const narrowed = await call(post({ subscriptions: [SUB_A], clusters: [outside.replace(SUB_OTHER, SUB_B)] }));
    expect(narrowed.status).toBe(400);
    expect(problemsOf(narrowed)[0]).toMatch(/^clusters\[0\]: .* lies outside the scan's scope/);
    expect(extension.started).toHaveLength(0);
  });

  describe("with SCAN_MANAGEMENT_GROUPS", () => {
    const clusterIn = (sub: string) => `/subscriptions/${sub}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks-1`;

    it("refuses any named subscription or cluster id before a scan of the groups is stored", async () => {
      vi.stubEnv("SCAN_SUBSCRIPTIONS", "");
      vi.stubEnv("SCAN_MANAGEMENT_GROUPS", "never-scanned-group");
      const response = await call(post({ subscriptions: [SUB_A] }));
      expect(response.status).toBe(400);
      expect(problemsOf(response)[0]).toMatch(/^subscriptions\[0\]: .* no scan of those management groups is stored yet/);
      // The configured scope itself (an empty body) and cluster names need no such knowledge.
      const whole = await call(post({ clusters: ["shop-aks"] }));
      expect(whole.status).toBe(202);
      expect(extension.started[0]!.input).toMatchObject({ scope: { subscriptions: [], managementGroups: ["never-scanned-group"], clusters: ["shop-aks"] } });
    });

    it("accepts subscriptions and clusters the latest scan of the groups found under them, and refuses others naming them", async () => {
      vi.stubEnv("SCAN_SUBSCRIPTIONS", "");
      vi.stubEnv("SCAN_MANAGEMENT_GROUPS", "contoso-root");
      const weekly = scanRun("20261123T060000Z-timer", "2026-11-23T06:00:00.000Z", []);
      await store.saveScan({ ...weekly, trigger: "timer", scope: { subscriptions: [], managementGroups: ["Contoso-Root"], clusters: [] }, subscriptions: [SUB_A, SUB_B] }, []);
      // A later narrowed scan does not redefine what lies under the groups.
      const narrow = scanRun("20261124T060000Z-abcdef", "2026-11-24T06:00:00.000Z", []);
      await store.saveScan({ ...narrow, trigger: "http", scope: { subscriptions: [SUB_A], managementGroups: [], clusters: [] }, subscriptions: [SUB_A] }, []);

      const refused = await call(post({ subscriptions: [SUB_B, SUB_OTHER] }));
      expect(refused.status).toBe(400);
      expect(problemsOf(refused)).toEqual([
        `subscriptions[1]: ${SUB_OTHER} is not under the management groups this scanner covers (SCAN_MANAGEMENT_GROUPS: contoso-root) as of scan 20261123T060000Z-timer`,
      ]);
      const clusterOnly = await call(post({ clusters: [clusterIn(SUB_OTHER)] }));
      expect(clusterOnly.status).toBe(400);
      expect(problemsOf(clusterOnly)[0]).toMatch(/^clusters\[0\]: .* is not under the management groups/);

      const accepted = await call(post({ subscriptions: [SUB_B], clusters: [clusterIn(SUB_B)] }));
      expect(accepted.status).toBe(202);
      expect(extension.started[0]!.input).toMatchObject({ scope: { subscriptions: [SUB_B], managementGroups: [], clusters: [clusterIn(SUB_B)] } });
    });
  });

  it("answers 409 with the running scan's own status URL when a scan of the same scope has not finished", async () => {
    const first = await call(post({ subscriptions: [SUB_A], clusters: ["shop-aks", "pay-aks"] }));
    expect(first.status).toBe(202);
    extension.instances.get(first.body["id"] as string)!.runtimeStatus = "Running";

    // The same scope, named in another order and case.
    const second = await call(post({ subscriptions: [SUB_A.toUpperCase()], clusters: ["pay-aks", "shop-aks"] }));
    expect(second.status).toBe(409);
    expect(second.body["id"]).toBe(first.body["id"]);
    expect((second.body["error"] as { code: string }).code).toBe("scan-running");
    expect(second.body["statusUrl"]).toBe(`https://wiscan-func.azurewebsites.net/api/scans/${first.body["id"] as string}`);
    expect(second.headers.get("location")).toBe(second.body["statusUrl"]);
    expectNoSecret(second);
    expect(extension.started).toHaveLength(1);

    // Another scope is another scan.
    const other = await call(post({ subscriptions: [SUB_B] }));
    expect(other.status).toBe(202);
    expect(extension.started).toHaveLength(2);
  });

  it("starts a new scan of a scope whose previous scan has completed", async () => {
    const first = await call(post());
    extension.instances.get(first.body["id"] as string)!.runtimeStatus = "Completed";
    const second = await call(post());
    expect(second.status).toBe(202);
    expect(second.body["id"]).not.toBe(first.body["id"]);
  });

  it("answers 429 with Retry-After to the start past SCAN_START_LIMIT_PER_HOUR, counted across two instances", async () => {
    vi.stubEnv("SCAN_START_LIMIT_PER_HOUR", "3");
    const [one, two] = await counters();
    const start = async (counter: WindowCounter) => {
      useWindowCounter(counter);
      const response = await call(post());
      // Each accepted scan completes at once, so the next request is a new start, not a 409.
      if (response.status === 202) extension.instances.get(response.body["id"] as string)!.runtimeStatus = "Completed";
      return response;
    };
    expect((await start(one)).status).toBe(202);
    expect((await start(two)).status).toBe(202);
    expect((await start(one)).status).toBe(202);
    const refused = await start(two);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(45 * 60));
    expect(refused.body["error"]).toMatchObject({ code: "rate-limited", message: expect.stringContaining("SCAN_START_LIMIT_PER_HOUR") });
    expect((await start(one)).status).toBe(429);
    expect(extension.started).toHaveLength(3);
  });

  it("answers 503 without starting anything when the settings are invalid", async () => {
    vi.stubEnv("SCAN_CONCURRENCY", "lots");
    const response = await call(post());
    expect(response.status).toBe(503);
    expect(extension.started).toHaveLength(0);
  });
});
