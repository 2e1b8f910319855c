/**
 * Step 4: the scan row. Per-cluster health comes from the store, where each
 * cluster's activity saved it; the store then resolves what this scan no
 * longer saw (only in clusters scanned completely) and writes the scan.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { ClusterHealth, ScanRun } from "../../../shared/scan/model.js";
import { summarizeCoverage } from "../../../shared/coverage/index.js";
import { isComplete } from "../../../shared/engine/index.js";
import { scanRuntime, type ScanRuntime } from "../../runtime/scan-runtime.js";
import { stagedScan } from "../../runtime/staged-scan.js";
import { errorText, scanLog, type ScanLog } from "../../runtime/telemetry.js";
import { addSeverities, type CompleteScanInput, type CompleteScanReport } from "../model.js";
import { COMPLETE_SCAN_ACTIVITY } from "../names.js";
import { subscriptionNamesOf } from "../../../shared/scan/subscription-names.js";

export async function completeScan(input: CompleteScanInput, runtime: ScanRuntime, log: ScanLog, now: () => Date = () => new Date()): Promise<CompleteScanReport> {
  const { inventory } = await stagedScan(runtime.staging, input.scan);
  const stored = await runtime.store.getScan(input.scan.id);
  const health: ClusterHealth[] = (stored?.clusters ?? []).map(({ findingsSaved: _saved, ...h }) => h);
  const clustersScanned = health.filter((h) => h.status === "ok" || h.status === "partial").length;
  const bySeverity = addSeverities(input.tally.bySeverity, input.fleet.bySeverity);
  const findings = input.tally.findings + input.fleet.findings;
  const finished = now();
  // A cluster the scan never saved has no coverage: the summary counts it as a gap.
  const unsavedClusters = Math.max(0, input.clusters - health.length);
  const coverage = summarizeCoverage({
    clusters: [...health, ...Array.from({ length: unsavedClusters }, (_, i) => ({ cluster: `(cluster ${i + 1} of ${unsavedClusters} never saved)` }))],
    ...(stored?.fleetCoverage !== undefined && { fleet: stored.fleetCoverage }),
    missingSubscriptions: inventory.missingSubscriptions ?? [],
  });
  const complete = input.tally.unsaved === 0 && unsavedClusters === 0 && isComplete(inventory, input.scope, health, coverage);

  const run: ScanRun = {
    id: input.scan.id,
    startedAt: input.scan.startedAt,
    finishedAt: finished.toISOString(),
    trigger: input.trigger,
    scope: input.scope,
    tenantId: inventory.tenantId,
    subscriptions: inventory.subscriptions.map((s) => s.subscriptionId),
    subscriptionNames: subscriptionNamesOf(inventory.subscriptions),
    complete,
    coverage,
    clusters: health,
    counts: { clusters: input.clusters, clustersScanned, findings, bySeverity },
    requests: { ...inventory.requests, kubernetes: inventory.requests.kubernetes + health.reduce((sum, h) => sum + h.requests, 0) },
    durationMs: Math.max(0, finished.getTime() - Date.parse(input.scan.startedAt)),
  };
  const saved = await runtime.store.completeScan(run, inventory.clusters.map((c) => c.id));
  log.info("scan.completed", {
    clusters: input.clusters,
    clustersSaved: health.length,
    clustersScanned,
    gaveUp: input.tally.gaveUp,
    unsaved: input.tally.unsaved,
    findings,
    high: bySeverity.high,
    complete,
    durationMs: run.durationMs,
    storeRequests: saved.requests,
  });
  return { complete, clustersScanned, findings, bySeverity };
}

df.app.activity(COMPLETE_SCAN_ACTIVITY, {
  handler: async (input: CompleteScanInput, context: InvocationContext) => {
    const log = scanLog(context, { scanId: input.scan.id, step: "complete" });
    try {
      return await completeScan(input, await scanRuntime(), log);
    } catch (error) {
      log.error("scan.complete-failed", { error: errorText(error) });
      throw error;
    }
  },
});
