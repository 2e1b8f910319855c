import azfn from "@azure/functions";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { useFindingsStore } from "../../functions/http/store-instance.js";
import { scanStatus } from "../../functions/scans/status.js";
import type { ClusterHealth, ScanRun } from "../../shared/scan/model.js";
import { createFindingsStore, type FindingsStore } from "../../shared/store/index.js";
import { startDurableExtension, type DurableExtension } from "./durable/durable-extension.js";

const { HttpRequest } = azfn;

let extension: DurableExtension;
let store: FindingsStore;

const health = (name: string): ClusterHealth => ({
  clusterId: `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`,
  cluster: name,
  subscriptionId: "00000000-0000-0000-0000-000000000001",
  resourceGroup: "rg",
  status: "ok",
  accessPath: "direct",
  durationMs: 120,
  requests: 9,
  findings: 0,
  podsSeen: 4,
  workloadIdentityPods: 2,
});

beforeAll(async () => {
  extension = await startDurableExtension();
  store = await createFindingsStore({ kind: "connection-string", connectionString: inject("azuriteTables"), retentionDays: 90 }, { tablePrefix: "fnStatus" });
  useFindingsStore(store);
});
afterAll(async () => {
  useFindingsStore(undefined);
  await extension.close();
});

function instance(id: string, runtimeStatus: string, extra: Record<string, unknown> = {}) {
  extension.instances.set(id, {
    name: "fleet-scan",
    instanceId: id,
    createdTime: "2026-11-30T06:00:00.000Z",
    lastUpdatedTime: "2026-11-30T06:05:00.000Z",
    input: null,
    output: null,
    runtimeStatus,
    customStatus: null,
    ...extra,
  });
}

async function get(id: string) {
  const request = new HttpRequest({ method: "GET", url: `https://wiscan-func.azurewebsites.net/api/scans/${encodeURIComponent(id)}`, params: { id } });
  const response = await scanStatus(request, extension.context("scans-get"));
  return { status: response.status, body: response.jsonBody as Record<string, unknown> };
}

describe("GET /api/scans/{id}", () => {
  it("shows a running scan's progress and the clusters saved so far", async () => {
    const id = "20261130T060000Z-timer";
    instance(id, "Running", { customStatus: { phase: "clusters", clusters: 2 } });
    await store.saveClusterFindings({ id, startedAt: "2026-11-30T06:00:00.000Z" }, health("shop-aks"), []);

    const response = await get(id);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id,
      orchestration: { runtimeStatus: "Running", progress: { phase: "clusters", clusters: 2 } },
      clusters: [expect.objectContaining({ cluster: "shop-aks", status: "ok", findingsSaved: true })],
    });
    expect(response.body["scan"]).toBeUndefined();
  });

  it("shows a finished scan's result with its counts from the store", async () => {
    const id = "20261130T070000Z-abc123";
    const run: ScanRun = {
      id,
      startedAt: "2026-11-30T07:00:00.000Z",
      finishedAt: "2026-11-30T07:03:00.000Z",
      trigger: "http",
      scope: { subscriptions: [], managementGroups: [], clusters: [] },
      tenantId: "00000000-0000-0000-0000-0000000000aa",
      subscriptions: ["00000000-0000-0000-0000-000000000001"],
      complete: true,
      clusters: [health("pay-aks")],
      counts: { clusters: 1, clustersScanned: 1, findings: 0, bySeverity: { high: 0, medium: 0, low: 0, info: 0 } },
      requests: { resourceGraph: 3, arm: 2, graph: 0, kubernetes: 9 },
      durationMs: 180_000,
    };
    await store.saveScan(run, []);
    instance(id, "Completed", { output: { scanId: id, outcome: "completed", clusters: 1 } });

    const response = await get(id);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      orchestration: { runtimeStatus: "Completed", result: { outcome: "completed", clusters: 1 } },
      scan: { id, complete: true, counts: { clusters: 1, findings: 0 } },
      fleetFindingsSaved: true,
    });
  });

  it("shows a scan that has not saved anything yet from its orchestration alone", async () => {
    instance("20261130T080000Z-def456", "Pending");
    const response = await get("20261130T080000Z-def456");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ orchestration: { runtimeStatus: "Pending" }, clusters: [], fleetFindingsSaved: false });
  });

  it("answers 404 for a scan nobody has heard of, and 400 for something that is no scan id", async () => {
    expect((await get("20261130T090000Z-000000")).status).toBe(404);
    const bad = await get("../../etc/passwd");
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { parameter: "id" } });
  });
});
