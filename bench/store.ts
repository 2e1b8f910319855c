/**
 * Findings store benchmark (not a test): saves 50,000 findings into a fresh
 * in-memory Azurite, once in transactions of up to 100 and once entity by
 * entity, then times the "open, high severity" query the security team runs
 * most. Run: npm run build && node dist/bench/store.js [findings] [--batched-only]
 * (--batched-only skips the entity-by-entity save, minutes at 50,000 findings).
 */
import { performance } from "node:perf_hooks";
import { findingId, type Finding, type Severity } from "../shared/findings/index.js";
import type { ClusterHealth, ScanRun } from "../shared/scan/model.js";
import { createFindingsStore, type FindingsStore } from "../shared/store/index.js";
import { CHECKS } from "../shared/checks/index.js";
import { startAzurite } from "../simulator/azurite.js";
import azfn from "@azure/functions";
import { findingsPage, overviewPage } from "../functions/console/pages.js";
import { forgetOverview } from "../functions/console/overview-data.js";
import { useCsrfKey } from "../functions/console/csrf-key-instance.js";
import { useFindingsStore } from "../functions/http/store-instance.js";
import { buildOverviewFigures } from "../shared/console/overview-view.js";
import { gatherDigestData } from "../shared/digest/index.js";

const FINDINGS = Number(process.argv[2] ?? 50_000);
const MODES = process.argv.includes("--batched-only") ? (["batched"] as const) : (["batched", "unbatched"] as const);
/** What the engine records for a cluster it read whole: every check complete (the coverage row the store writes and reads back). */
const EVERYTHING_COVERED = { checks: CHECKS.map((c) => ({ checkId: c.id, state: "complete" as const, graded: true })) };
const PER_CLUSTER = 250;
const SEVERITIES: Severity[] = ["high", "medium", "medium", "low", "low", "info"];

function fleet(): { run: ScanRun; findings: Finding[] } {
  const clusters: ClusterHealth[] = [];
  const findings: Finding[] = [];
  for (let c = 0; findings.length < FINDINGS; c++) {
    const sub = `${String(c % 40).padStart(8, "0")}-0000-0000-0000-000000000000`;
    const name = `aks-${c}`;
    const clusterId = `/subscriptions/${sub}/resourceGroups/rg-${c}/providers/Microsoft.ContainerService/managedClusters/${name}`;
    clusters.push({ clusterId, cluster: name, subscriptionId: sub, resourceGroup: `rg-${c}`, status: "ok", accessPath: "direct", durationMs: 800, requests: 12, findings: PER_CLUSTER, podsSeen: 400, workloadIdentityPods: 120, coverage: EVERYTHING_COVERED });
    for (let i = 0; i < PER_CLUSTER && findings.length < FINDINGS; i++) {
      const resource = { subscriptionId: sub, cluster: name, clusterId, namespace: `team-${i % 25}`, kind: "ServiceAccount", name: `workload-${i}`, identityClientId: `${String(i).padStart(8, "0")}-1111-1111-1111-111111111111` };
      const checkId = i % 2 ? "sa.no-matching-fic" : "pod.label-missing";
      findings.push({
        id: findingId(checkId, resource),
        checkId,
        severity: SEVERITIES[i % SEVERITIES.length]!,
        title: "Service account has no federated credential for this cluster",
        resource,
        evidence: { expectedIssuer: `https://eastus.oic.prod-aks.azure.com/tenant/${c}/`, subject: `system:serviceaccount:team-${i % 25}:workload-${i}` },
        remediation: { text: "Create the federated credential.", command: `az identity federated-credential create --name ${name}-workload-${i} --identity-name id-${i} --resource-group rg-${c} --issuer 'https://…' --subject 'system:serviceaccount:team:workload-${i}'` },
        docsUrl: "https://learn.microsoft.com/azure/aks/workload-identity-overview",
        controls: ["MCSB IM-3"],
      });
    }
  }
  const run: ScanRun = {
    id: "bench-scan-1",
    startedAt: "2026-11-30T06:00:00.000Z",
    finishedAt: "2026-11-30T06:10:00.000Z",
    trigger: "cli",
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    tenantId: "00000000-0000-0000-0000-000000000000",
    subscriptions: [...new Set(clusters.map((c) => c.subscriptionId))],
    complete: true,
    clusters,
    counts: { clusters: clusters.length, clustersScanned: clusters.length, findings: findings.length, bySeverity: { high: 0, medium: 0, low: 0, info: 0 } },
    requests: { resourceGraph: 0, arm: 0, graph: 0, kubernetes: 0 },
    durationMs: 600_000,
  };
  for (const f of findings) run.counts.bySeverity[f.severity]++;
  return { run, findings };
}

async function timeSave(store: FindingsStore, run: ScanRun, findings: Finding[]) {
  const started = performance.now();
  const result = await store.saveScan(run, findings);
  return { seconds: (performance.now() - started) / 1000, ...result };
}

async function timeOpenHigh(store: FindingsStore) {
  const started = performance.now();
  let count = 0;
  for await (const _ of store.allFindings({ status: "open", severity: "high" }, 1000)) count++;
  return { seconds: (performance.now() - started) / 1000, count };
}

/** Median server time of a console page, from the request object to the rendered HTML (after one warm-up call). */
async function timePage(handler: typeof findingsPage, path: string, runs = 5, before: () => void = () => {}): Promise<{ ms: number; bytes: number }> {
  const call = async () => {
    before();
    const request = new azfn.HttpRequest({ method: "GET", url: `http://localhost/api/${path}` });
    const context = new azfn.InvocationContext({ functionName: "bench", logHandler: () => {} });
    const started = performance.now();
    const response = await handler(request, context);
    const ms = performance.now() - started;
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
    return { ms, bytes: Buffer.byteLength(String(response.body)) };
  };
  await call();
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await call());
  samples.sort((a, b) => a.ms - b.ms);
  return samples[Math.floor(samples.length / 2)]!;
}

async function timeConsole(store: FindingsStore): Promise<void> {
  useFindingsStore(store);
  useCsrfKey(Buffer.alloc(32, 1));
  process.env["WISCAN_DEV_PRINCIPAL"] = JSON.stringify({ name: "bench@example.com", roles: ["Findings.Read"] });
  for (const [label, handler, path] of [
    ["console findings, first page of 50 (open)", findingsPage, "console/findings"],
    ["console findings, first page of 50 (open, high)", findingsPage, "console/findings?severity=high"],
    ["console findings, first page of 50 (all, one cluster by id)", findingsPage, `console/findings?status=all&cluster=${encodeURIComponent("/subscriptions/00000003-0000-0000-0000-000000000000/resourceGroups/rg-3/providers/Microsoft.ContainerService/managedClusters/aks-3")}`],
    ["console overview, figures kept from a read within the minute", overviewPage, "console"],
  ] as const) {
    const { ms, bytes } = await timePage(handler, path);
    console.log(`${label}: ${ms.toFixed(0)} ms server time (median), ${Math.round(bytes / 1024)} KiB of HTML`);
  }
  const cold = await timePage(overviewPage, "console", 3, forgetOverview);
  console.log(`console overview, first visit (counts kept per scope): ${cold.ms.toFixed(0)} ms server time (median)`);
  // What a store saved before counts were kept pays until its next scan completes.
  const latest = (await store.listScans({ pageSize: 1 })).items[0]!;
  const started = performance.now();
  buildOverviewFigures(await gatherDigestData(store, latest.id), new Date());
  console.log(`console overview figures from every open and suppressed finding (store without counts): ${(performance.now() - started).toFixed(0)} ms`);
}

const azurite = await startAzurite();
try {
  const { run, findings } = fleet();
  const connect = (prefix: string, writeMode: "transactions" | "single") =>
    createFindingsStore({ kind: "connection-string", connectionString: azurite.connectionString, retentionDays: 90 }, { tablePrefix: prefix, writeMode, concurrency: 16 });

  console.log(`wiscan store benchmark: ${findings.length} findings in ${run.clusters.length} clusters, Azurite in memory, Node ${process.version}`);
  for (const label of MODES) {
    const mode = label === "batched" ? "transactions" : "single";
    const store = await connect(`bench${mode === "single" ? "Single" : "Batch"}`, mode);
    const save = await timeSave(store, run, findings);
    console.log(
      `${label.padEnd(10)} saved ${save.findings} findings as ${save.rows} rows in ${save.requests} requests, ${save.seconds.toFixed(1)} s: ` +
        `${Math.round(save.rows / save.seconds)} entities/s, ${Math.round(save.findings / save.seconds)} findings/s`,
    );
    if (mode === "transactions") {
      await timeOpenHigh(store); // warm-up
      const query = await timeOpenHigh(store);
      console.log(`open high-severity query: ${query.count} findings in ${(query.seconds * 1000).toFixed(0)} ms (all pages of 1000)`);
      const first = performance.now();
      await store.listFindings({ status: "open", severity: "high" }, { pageSize: 100 });
      console.log(`open high-severity, first page of 100: ${(performance.now() - first).toFixed(0)} ms`);
      await timeConsole(store);
      // The next week: every tenth finding was fixed, so the scan sees the rest and resolves those.
      const next = { ...run, id: "bench-scan-2", startedAt: "2026-12-01T06:00:00.000Z", finishedAt: "2026-12-01T06:10:00.000Z" };
      const seen = findings.filter((_, i) => i % 10 !== 0);
      const resolve = await timeSave(store, next, seen);
      const changes = await store.scanChanges(next);
      console.log(`second scan   saved ${resolve.findings} findings and resolved ${changes.resolved} as ${resolve.rows} rows in ${resolve.requests} requests, ${resolve.seconds.toFixed(1)} s`);
    }
  }
} finally {
  await azurite.stop();
}
