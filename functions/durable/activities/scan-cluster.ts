/**
 * One cluster: snapshot, checks, findings saved, and what the fleet checks
 * will need staged. The snapshot lives and dies in here; the orchestration
 * gets the counts back. A cluster that answers with errors (unreachable,
 * forbidden) is a result with scan.* findings, not a failure: Durable retries
 * only what throws (the store, the staging table, a crash).
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { runClusterChecks } from "../../../shared/checks/index.js";
import { clusterHealth, failedSnapshot, scanCluster } from "../../../shared/engine/index.js";
import type { Finding } from "../../../shared/findings/model.js";
import type { ClusterHealth } from "../../../shared/scan/model.js";
import type { ScanRef } from "../../../shared/store/model.js";
import { scanRuntime, type ScanRuntime } from "../../runtime/scan-runtime.js";
import { stagedScan } from "../../runtime/staged-scan.js";
import { errorText, scanLog, type ScanLog } from "../../runtime/telemetry.js";
import { emptySeverityCounts, type ClusterScanReport, type RecordClusterFailureInput, type ScanClusterInput } from "../model.js";
import { RECORD_CLUSTER_FAILURE_ACTIVITY, SCAN_CLUSTER_ACTIVITY } from "../names.js";

export async function scanOneCluster(input: ScanClusterInput, runtime: ScanRuntime, log: ScanLog): Promise<ClusterScanReport> {
  const staged = await stagedScan(runtime.staging, input.scan);
  const cluster = staged.cluster(input.index);
  const clusterLog = log.with({ cluster: cluster.name, clusterId: cluster.id, subscriptionId: cluster.subscriptionId });
  clusterLog.info("cluster.started");
  return logFailure(clusterLog, "cluster.failed", async () => {
    const result = await scanCluster(runtime.dependencies({ scanId: input.scan.id, tenantId: staged.inventory.tenantId }), staged.view, cluster, runtime.checks);
    for (const failure of result.checkFailures) clusterLog.warn("check.failed", { checkId: failure.checkId, error: failure.message });
    await runtime.staging.putClusterResult(input.scan.id, {
      clusterId: cluster.id,
      usage: result.usage,
      applications: result.applications,
      applicationErrors: result.applicationErrors,
    });
    await save(runtime, input.scan, result.health, result.findings, clusterLog);
    return report(result.health, result.findings, result.checkFailures.length);
  });
}

/**
 * A cluster whose scan failed on every attempt: recorded as the engine records
 * a cluster it could not read (a failed snapshot, so scan.cluster-unreachable
 * with the last error as evidence), and its health saved with status "error".
 */
export async function recordClusterFailure(input: RecordClusterFailureInput, runtime: ScanRuntime, log: ScanLog): Promise<ClusterScanReport> {
  const staged = await stagedScan(runtime.staging, input.scan);
  const cluster = staged.cluster(input.index);
  const clusterLog = log.with({ cluster: cluster.name, clusterId: cluster.id, subscriptionId: cluster.subscriptionId });
  clusterLog.warn("cluster.gave-up", { reason: input.reason });
  return logFailure(clusterLog, "cluster.failure-not-recorded", async () => {
    const snapshot = failedSnapshot(cluster, new Error(`every attempt to scan the cluster failed; the last: ${input.reason}`));
    const { findings, failures, coverage } = runClusterChecks(staged.view, snapshot, runtime.checks);
    const health = { ...clusterHealth(snapshot, findings.length), coverage };
    const noUsage = { clusterId: cluster.id, usage: { clusterId: cluster.id, clientIds: [] }, applications: [], applicationErrors: [] };
    await runtime.staging.putClusterResult(input.scan.id, noUsage);
    await save(runtime, input.scan, health, findings, clusterLog);
    return report(health, findings, failures.length);
  });
}

/** Errors already logged with the cluster's name, so the handler does not log them again without it. */
const logged = new WeakSet<object>();

async function logFailure<T>(log: ScanLog, event: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    log.error(event, { error: errorText(error) });
    if (typeof error === "object" && error !== null) logged.add(error);
    throw error;
  }
}

async function save(runtime: ScanRuntime, scan: ScanRef, health: ClusterHealth, findings: readonly Finding[], log: ScanLog): Promise<void> {
  const saved = await runtime.store.saveClusterFindings(scan, health, findings);
  log.info("cluster.saved", {
    status: health.status,
    reason: health.reason,
    accessPath: health.accessPath,
    findings: findings.length,
    durationMs: health.durationMs,
    kubernetesRequests: health.requests,
    podsSeen: health.podsSeen,
    storeRequests: saved.requests,
    storeRows: saved.rows,
  });
}

function report(health: ClusterHealth, findings: readonly Finding[], checkFailures: number): ClusterScanReport {
  const bySeverity = emptySeverityCounts();
  for (const f of findings) bySeverity[f.severity] += 1;
  return { clusterId: health.clusterId, status: health.status, findings: findings.length, bySeverity, checkFailures };
}

function activityLog(context: InvocationContext, input: { scan: ScanRef; index: number }): ScanLog {
  // The cluster's name joins every line once the staged inventory says which cluster this is.
  return scanLog(context, { scanId: input.scan.id, clusterIndex: input.index });
}

df.app.activity(SCAN_CLUSTER_ACTIVITY, {
  handler: async (input: ScanClusterInput, context: InvocationContext) => {
    const log = activityLog(context, input);
    try {
      return await scanOneCluster(input, await scanRuntime(), log);
    } catch (error) {
      // Before the cluster is known (the staged inventory could not be read): the index says which one it was.
      if (!(typeof error === "object" && error !== null && logged.has(error))) log.error("cluster.failed", { error: errorText(error) });
      throw error;
    }
  },
});

df.app.activity(RECORD_CLUSTER_FAILURE_ACTIVITY, {
  handler: async (input: RecordClusterFailureInput, context: InvocationContext) => {
    const log = activityLog(context, input);
    try {
      return await recordClusterFailure(input, await scanRuntime(), log);
    } catch (error) {
      if (!(typeof error === "object" && error !== null && logged.has(error))) log.error("cluster.failure-not-recorded", { error: errorText(error) });
      throw error;
    }
  },
});
