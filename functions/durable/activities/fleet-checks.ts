/**
 * Step 3: the checks that look at the whole fleet at once (identities used by
 * workloads, their role assignments, credentials for issuers of no scanned
 * cluster), from the staged inventory and what each cluster staged: the app
 * registrations it looked up and the identities its workloads use.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { runFleetChecks } from "../../../shared/checks/index.js";
import { withApplications } from "../../../shared/engine/index.js";
import type { AppRegistration, InventoryError } from "../../../shared/inventory/model.js";
import type { ScanRef } from "../../../shared/store/model.js";
import { scanRuntime, type ScanRuntime } from "../../runtime/scan-runtime.js";
import { stagedScan } from "../../runtime/staged-scan.js";
import { errorText, scanLog, type ScanLog } from "../../runtime/telemetry.js";
import { emptySeverityCounts, type FleetChecksReport } from "../model.js";
import { FLEET_CHECKS_ACTIVITY } from "../names.js";

export async function runFleetStep(scan: ScanRef, runtime: ScanRuntime, log: ScanLog): Promise<FleetChecksReport> {
  const staged = await stagedScan(runtime.staging, scan);
  // Only this run's clusters: a failed earlier run of the same scan id may have left others behind.
  const results = (await runtime.staging.clusterResults(scan.id)).filter((r) => staged.clusterIds.has(r.clusterId.toLowerCase()));

  const applications = new Map<string, AppRegistration>();
  const errors = new Map<string, InventoryError>();
  for (const result of results) {
    for (const app of result.applications) applications.set(app.appId.toLowerCase(), app);
    for (const error of result.applicationErrors) errors.set(`${error.kind}|${error.operation}|${error.resource ?? ""}`, error);
  }
  const view = withApplications(staged.view, [...applications.values()], [...errors.values()]);
  // A scan of named clusters (the request's `clusters`) reports and covers only the identities that concern them.
  const narrowedTo = staged.clusterIds.size < staged.inventory.clusters.length ? [...staged.clusterIds] : [];
  const { findings, failures, coverage } = runFleetChecks(view, results.map((r) => r.usage), runtime.checks, undefined, narrowedTo);
  for (const failure of failures) log.warn("check.failed", { checkId: failure.checkId, error: failure.message });

  const saved = await runtime.store.saveFleetFindings(scan, findings, coverage);
  const bySeverity = emptySeverityCounts();
  for (const f of findings) bySeverity[f.severity] += 1;
  log.info("fleet.saved", {
    findings: findings.length,
    clustersWithUsage: results.length,
    clusters: staged.clusterCount,
    applicationsLookedUp: applications.size,
    storeRequests: saved.requests,
  });
  return { findings: findings.length, bySeverity, checkFailures: failures.length };
}

df.app.activity(FLEET_CHECKS_ACTIVITY, {
  handler: async (scan: ScanRef, context: InvocationContext) => {
    const log = scanLog(context, { scanId: scan.id, step: "fleet-checks" });
    try {
      return await runFleetStep(scan, await scanRuntime(), log);
    } catch (error) {
      log.error("fleet.failed", { error: errorText(error) });
      throw error;
    }
  },
});
