/**
 * The whole scan in one process (CLI, demo, benchmarks): inventory, every
 * cluster with bounded concurrency, then the fleet-level checks once. The
 * Durable app runs the same steps as activities (scanCluster, runFleetChecks).
 */
import pLimit from "p-limit";
import type { AksCluster, AppRegistration, Inventory, InventoryError } from "../inventory/model.js";
import { SEVERITIES, type Finding, type Severity } from "../findings/model.js";
import type { ClusterHealth, ScanRun, ScanScope } from "../scan/model.js";
import { buildFleetView, runFleetChecks, type CheckSelection } from "../checks/index.js";
import type { ScanDependencies } from "./dependencies.js";
import { ScanError } from "./errors.js";
import { summarizeCoverage, type FleetCoverage, type ScanCoverageSummary } from "../coverage/index.js";
import { scanCluster, type ClusterScanResult } from "./scan-cluster.js";
import { newScanId } from "./scan-id.js";
import { subscriptionNamesOf } from "../scan/subscription-names.js";

export interface ScanOptions {
  scope: ScanScope;
  concurrency: number;
  trigger: ScanRun["trigger"];
  checks?: CheckSelection;
  /** Called after each cluster, for progress displays. */
  onClusterDone?: (done: number, total: number, findingsSoFar: number) => void;
}

export interface ScanOutcome {
  scan: ScanRun;
  findings: Finding[];
  /** What the fleet-level checks evaluated, per identity: the store resolves fleet findings by it. */
  fleetCoverage: FleetCoverage;
  inventory: Inventory;
  checkFailures: Array<{ checkId: string; message: string }>;
}

export async function scanFleet(deps: ScanDependencies, options: ScanOptions): Promise<ScanOutcome> {
  const started = new Date();
  const inventory = await deps.inventory(options.scope);
  const clusters = selectClusters(inventory.clusters, options.scope.clusters);
  const view = buildFleetView(inventory);

  const limit = pLimit(options.concurrency);
  let done = 0;
  let findingsSoFar = 0;
  const results = await Promise.all(
    clusters.map((cluster) =>
      limit(async () => {
        const result = await scanCluster(deps, view, cluster, options.checks);
        done += 1;
        findingsSoFar += result.findings.length;
        options.onClusterDone?.(done, clusters.length, findingsSoFar);
        return result;
      }),
    ),
  );

  const fleetInventory = withDiscoveredApplications(inventory, results);
  const narrowedTo = options.scope.clusters.length > 0 ? clusters.map((c) => c.id) : [];
  const fleet = runFleetChecks(buildFleetView(fleetInventory), results.map((r) => r.usage), options.checks, undefined, narrowedTo);
  const findings = [...results.flatMap((r) => r.findings), ...fleet.findings];
  const health = results.map((r) => r.health);
  const coverage = summarizeCoverage({ clusters: health, fleet: fleet.coverage, missingSubscriptions: inventory.missingSubscriptions ?? [] });
  const finished = new Date();

  const scan: ScanRun = {
    id: newScanId(started),
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    trigger: options.trigger,
    scope: options.scope,
    tenantId: inventory.tenantId,
    subscriptions: inventory.subscriptions.map((s) => s.subscriptionId),
    subscriptionNames: subscriptionNamesOf(inventory.subscriptions),
    complete: isComplete(inventory, options.scope, health, coverage),
    coverage,
    clusters: health,
    counts: countFindings(findings, health),
    requests: requestTotals(deps, inventory, health),
    durationMs: finished.getTime() - started.getTime(),
  };
  return {
    scan,
    findings,
    fleetCoverage: fleet.coverage,
    inventory: fleetInventory,
    checkFailures: [...results.flatMap((r) => r.checkFailures), ...fleet.failures],
  };
}

/**
 * Complete: every cluster in scope read, every check selected and evaluated
 * everywhere but where an opt-in feature is off. The store does not rely on
 * it (coverage decides per finding); reports and the digest say it.
 */
export function isComplete(inventory: Inventory, scope: ScanScope, health: readonly ClusterHealth[], coverage: ScanCoverageSummary): boolean {
  return (
    inventory.complete &&
    scope.clusters.length === 0 &&
    health.every((h) => h.status === "ok") &&
    coverage.actionableGaps === 0 &&
    coverage.notSelected.length === 0
  );
}

/** Clusters in scope: all, or those named by name or resource id (case-insensitive, as ARM ids are). */
export function selectClusters(clusters: readonly AksCluster[], wanted: readonly string[]): AksCluster[] {
  if (clusters.length === 0) throw new ScanError("nothing-to-scan", "No AKS cluster found in the subscriptions in scope.");
  if (wanted.length === 0) return [...clusters];
  const selected: AksCluster[] = [];
  const missing: string[] = [];
  for (const want of wanted) {
    const key = want.toLowerCase();
    const matches = clusters.filter((c) => c.id.toLowerCase() === key || c.name.toLowerCase() === key);
    if (matches.length === 0) missing.push(want);
    for (const m of matches) if (!selected.includes(m)) selected.push(m);
  }
  if (missing.length > 0) {
    throw new ScanError("nothing-to-scan", `No cluster named ${missing.map((m) => `"${m}"`).join(", ")} in the subscriptions in scope.`);
  }
  return selected;
}

function withDiscoveredApplications(inventory: Inventory, results: readonly ClusterScanResult[]): Inventory {
  const applications = new Map<string, AppRegistration>(inventory.applications.map((a) => [a.appId.toLowerCase(), a]));
  const errors: InventoryError[] = [...inventory.errors];
  const seenErrors = new Set(errors.map(errorKey));
  for (const result of results) {
    for (const app of result.applications) applications.set(app.appId.toLowerCase(), app);
    for (const error of result.applicationErrors) {
      if (!seenErrors.has(errorKey(error))) {
        seenErrors.add(errorKey(error));
        errors.push(error);
      }
    }
  }
  return { ...inventory, applications: [...applications.values()], errors };
}

const errorKey = (e: InventoryError) => `${e.kind}|${e.operation}|${e.resource ?? ""}`;

function requestTotals(deps: ScanDependencies, inventory: Inventory, health: readonly ClusterHealth[]): ScanRun["requests"] {
  const azure = deps.requestCounts?.() ?? inventory.requests;
  return { ...azure, kubernetes: azure.kubernetes + health.reduce((sum, h) => sum + h.requests, 0) };
}

function countFindings(findings: readonly Finding[], health: readonly ClusterHealth[]): ScanRun["counts"] {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) bySeverity[f.severity] += 1;
  return {
    clusters: health.length,
    clustersScanned: health.filter((h) => h.status === "ok" || h.status === "partial").length,
    findings: findings.length,
    bySeverity,
  };
}
