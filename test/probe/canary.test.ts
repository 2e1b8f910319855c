/**
 * The probe's tokens never leave its memory. A canary is planted in the
 * service account tokens the simulated API server issues (as the account's
 * uid, which every TokenRequest token carries); a probed scan then goes
 * through the store (Azurite), the HTML report and the digest while
 * everything written to the console is captured, and neither the canary (in
 * any encoding) nor any JWT at all may show up anywhere.
 */
import { TableClient } from "@azure/data-tables";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import type { ClusterSnapshot } from "../../shared/cluster/index.js";
import { FLEET_AUDIENCE_ID, forAudience, gatherDigestData, renderDigest } from "../../shared/digest/index.js";
import { createAzureScanDependencies } from "../../shared/engine/azure-dependencies.js";
import { scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import { renderHtmlReport } from "../../shared/report/index.js";
import { createFindingsStore, tableNames } from "../../shared/store/index.js";
import { loadFleet, type Simulator } from "../../simulator/index.js";
import { clientsFor, httpsRequest, startFleetSimulator } from "../support/simulator.js";

const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
const CLUSTER = "payments-staging";
const CANARY = "wiscanCanary7f3e9c2a51d8";
const TABLE_PREFIX = "probecanary";

/** The canary as it reads inside base64url text, at each of the three byte alignments. */
function encodedForms(text: string): string[] {
  const bytes = Buffer.from(text);
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64url");
    // Only the characters made of canary bits alone.
    return encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
  });
}
const CANARY_FORMS = [CANARY, ...encodedForms(CANARY)];
const JWT = /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*/;

function leaks(text: string): string[] {
  const found = CANARY_FORMS.filter((form) => text.includes(form));
  const jwt = JWT.exec(text)?.[0];
  return jwt !== undefined ? [...found, `a JWT: ${jwt.slice(0, 24)}...`] : found;
}

let sim: Simulator;
let outcome: ScanOutcome;
const snapshots: ClusterSnapshot[] = [];
const printed: string[] = [];

beforeAll(async () => {
  const fleet = await loadFleet(DEMO_DIR);
  let n = 0;
  for (const object of fleet.clusters.get(CLUSTER) ?? []) {
    if (object.kind === "ServiceAccount") object.metadata.uid = `${CANARY}${String(n++).padStart(4, "0")}`;
  }
  sim = await startFleetSimulator({ fleet });

  const capture = (stream: NodeJS.WriteStream) =>
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown) => {
      printed.push(String(chunk));
      return true;
    }) as typeof stream.write);
  const spies = [
    capture(process.stdout),
    capture(process.stderr),
    ...(["log", "info", "warn", "error", "debug", "trace"] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        printed.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
      }),
    ),
  ];
  try {
    const deps = createAzureScanDependencies(clientsFor(sim), { probeScopes: sim.fleet.azure.subscriptions.map((s) => s.subscriptionId), authorityHost: sim.authorityHost });
    outcome = await scanFleet(
      {
        ...deps,
        snapshot: async (cluster) => {
          const snapshot = await deps.snapshot(cluster);
          snapshots.push(snapshot);
          return snapshot;
        },
      },
      { scope: { subscriptions: [], managementGroups: [], clusters: [CLUSTER] }, concurrency: 2, trigger: "demo" },
    );
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}, 120_000);

afterAll(async () => {
  await sim?.close();
});

describe("the probe's tokens", () => {
  it("carry the canary where the simulator issues them, so the search below can find a leak", async () => {
    const token = await serviceAccountToken("payments", "payments-api");
    expect(leaks(token).length).toBeGreaterThan(1);
  });

  it("were exchanged for real: the probe decided every service account it tried", () => {
    const results = snapshots.flatMap((s) => s.probeResults ?? []);
    expect(results.map((r) => r.outcome)).toContain("ok");
    expect(results.map((r) => r.outcome)).toContain("failed");
    expect(results.filter((r) => r.outcome === "error")).toEqual([]);
  });

  it("appear nowhere in the scan's results, snapshots or console output", () => {
    expect(leaks(JSON.stringify(outcome))).toEqual([]);
    expect(leaks(JSON.stringify(snapshots))).toEqual([]);
    expect(leaks(printed.join("\n"))).toEqual([]);
  });

  it("appear in no table row, HTML report or digest", async () => {
    const connectionString = inject("azuriteTables");
    const store = await createFindingsStore({ kind: "connection-string", connectionString, retentionDays: 90 }, { tablePrefix: TABLE_PREFIX });
    await store.saveScan(outcome.scan, outcome.findings);

    const rows: unknown[] = [];
    for (const name of Object.values(tableNames(TABLE_PREFIX))) {
      const table = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
      for await (const entity of table.listEntities()) rows.push(entity);
    }
    expect(rows.length).toBeGreaterThan(outcome.findings.length);
    expect(leaks(JSON.stringify(rows))).toEqual([]);

    const report = renderHtmlReport(outcome.scan, outcome.findings);
    expect(report).toContain("probe.token-exchange-failed");
    expect(leaks(report)).toEqual([]);

    const data = await gatherDigestData(store, outcome.scan.id);
    const digest = await renderDigest(forAudience(data, { id: FLEET_AUDIENCE_ID, recipients: ["platform@example.com"] }, new Map()), { id: FLEET_AUDIENCE_ID, recipients: ["platform@example.com"] }, { maxFindings: 200 });
    expect(digest.html).toContain("payments-api");
    expect(leaks(`${digest.subject}\n${digest.html}\n${digest.text}`)).toEqual([]);
  });
});

/** A TokenRequest straight to the simulated API server, with the cluster-user credential kubectl would use. */
async function serviceAccountToken(namespace: string, name: string): Promise<string> {
  const kubeconfig = sim.kubeconfigFor(CLUSTER);
  const server = /server: (\S+)/.exec(kubeconfig)?.[1] ?? "";
  const bearer = /token: (\S+)/.exec(kubeconfig)?.[1] ?? "";
  const response = await httpsRequest(sim, `${server}/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`, {
    method: "POST",
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { audiences: ["api://AzureADTokenExchange"], expirationSeconds: 3600 } }),
  });
  const token = (response.body as { status?: { token?: string } } | undefined)?.status?.token;
  if (!token) throw new Error(`no token: HTTP ${response.status}`);
  return token;
}
