import azfn from "@azure/functions";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { FleetScanInput } from "../../functions/durable/model.js";
import { startScan } from "../../functions/scans/start.js";
import { startDurableExtension, type DurableExtension } from "./durable/durable-extension.js";

const { HttpRequest } = azfn;

const SUB_A = "00000000-0000-0000-0000-00000000000a";
const SUB_B = "00000000-0000-0000-0000-00000000000b";
const SUB_OTHER = "00000000-0000-0000-0000-0000000000ff";

let extension: DurableExtension;

beforeAll(async () => {
  extension = await startDurableExtension();
});
afterAll(() => extension.close());

beforeEach(() => {
  vi.stubEnv("SCAN_SUBSCRIPTIONS", `${SUB_A},${SUB_B}`);
  vi.stubEnv("SCAN_MANAGEMENT_GROUPS", "");
  vi.stubEnv("MAIL_TRANSPORT", "none");
});
afterEach(() => {
  vi.unstubAllEnvs();
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
  const init = response as { status?: number; jsonBody?: unknown; headers?: unknown };
  // The durable client answers with an HttpResponse; our own answers are plain response objects.
  if (response instanceof azfn.HttpResponse) return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
  return { status: init.status, body: init.jsonBody as Record<string, unknown>, headers: new Headers(init.headers as Record<string, string>) };
}

describe("POST /api/scans", () => {
  it("starts a scan of the configured subscriptions for an empty body and answers 202 with its status URLs", async () => {
    const response = await call(post());
    expect(response.status).toBe(202);
    const id = response.body["id"] as string;
    expect(id).toMatch(/^\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(response.body["statusQueryGetUri"]).toMatch(new RegExp(`^https://wiscan-func\\.azurewebsites\\.net/runtime/webhooks/durabletask/instances/${id}\\?`));
    expect(response.headers.get("location")).toBe(response.body["statusQueryGetUri"]);

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

  it("answers 400 naming every invalid field, and starts nothing", async () => {
    const response = await call(post({ subscriptions: ["not-a-guid"], clusters: ["no spaces allowed"], sendDigest: "yes", force: true }));
    expect(response.status).toBe(400);
    const problems = (response.body["error"] as { problems: string[] }).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^subscriptions\[0\]: must be a subscription id/),
        expect.stringMatching(/^clusters\[0\]: must be a cluster name/),
        expect.stringMatching(/^sendDigest: must be true or false/),
        expect.stringMatching(/force/),
      ]),
    );
    expect(extension.started).toHaveLength(0);
  });

  it("answers 400 for a body that is not JSON", async () => {
    const response = await call(post(undefined, "{subscriptions:"));
    expect(response.status).toBe(400);
    expect((response.body["error"] as { message: string }).message).toBe("body: is not valid JSON");
  });

  it("refuses a subscription outside the ones the scanner is configured for", async () => {
    const response = await call(post({ subscriptions: [SUB_A, SUB_OTHER] }));
    expect(response.status).toBe(400);
    expect((response.body["error"] as { problems: string[] }).problems).toEqual([
      `subscriptions[1]: ${SUB_OTHER} is not one of the subscriptions this scanner covers (SCAN_SUBSCRIPTIONS)`,
    ]);
    expect(extension.started).toHaveLength(0);
  });

  it("answers 409 with the running scan's status URLs when a scan of the same scope has not finished", async () => {
    const first = await call(post({ subscriptions: [SUB_A], clusters: ["shop-aks", "pay-aks"] }));
    expect(first.status).toBe(202);
    extension.instances.get(first.body["id"] as string)!.runtimeStatus = "Running";

    // The same scope, named in another order and case.
    const second = await call(post({ subscriptions: [SUB_A.toUpperCase()], clusters: ["pay-aks", "shop-aks"] }));
    expect(second.status).toBe(409);
    expect(second.body["id"]).toBe(first.body["id"]);
    expect((second.body["error"] as { code: string }).code).toBe("scan-running");
    expect(second.headers.get("location")).toContain(`/instances/${first.body["id"] as string}?`);
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

  it("answers 503 without starting anything when the settings are invalid", async () => {
    vi.stubEnv("SCAN_CONCURRENCY", "lots");
    const response = await call(post());
    expect(response.status).toBe(503);
    expect(extension.started).toHaveLength(0);
  });
});
