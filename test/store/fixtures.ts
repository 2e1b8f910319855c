/** Findings, scans and stores for the store tests, against the Azurite of the global setup. */
import { TableClient } from "@azure/data-tables";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { findingId, type CheckId, type Finding, type FindingResource, type Severity } from "../../shared/findings/index.js";
import type { ClusterHealth, ScanRun } from "../../shared/scan/model.js";
import { CHECKS } from "../../shared/checks/index.js";
import type { ClusterCoverage, FleetCoverage } from "../../shared/coverage/index.js";
import { createFindingsStore, tableNames, type FindingsStore, type StoreConnectionOptions } from "../../shared/store/index.js";

export const SUB_A = "11111111-1111-1111-1111-111111111111";
export const SUB_B = "22222222-2222-2222-2222-222222222222";

export function clusterId(name: string, sub = SUB_A): string {
  return `/subscriptions/${sub}/resourceGroups/rg-${name}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

export function finding(
  checkId: CheckId,
  resource: Partial<FindingResource> & { name: string },
  overrides: Partial<Omit<Finding, "id" | "resource" | "checkId">> = {},
): Finding {
  const full: FindingResource = { kind: "ServiceAccount", ...resource };
  return {
    id: findingId(checkId, full),
    checkId,
    severity: overrides.severity ?? ("high" as Severity),
    title: overrides.title ?? `${checkId} on ${full.name}`,
    resource: full,
    evidence: overrides.evidence ?? { expected: "a", actual: "b" },
    remediation: overrides.remediation ?? { text: "Fix it.", command: `kubectl annotate sa ${full.name} x=y` },
    docsUrl: overrides.docsUrl ?? "https://example.com/docs",
    controls: overrides.controls ?? ["MCSB IM-3"],
  };
}

/** A service-account finding in a cluster of subscription A. */
export function saFinding(cluster: string, namespace: string, name: string, checkId: CheckId = "sa.no-matching-fic", severity: Severity = "high"): Finding {
  return finding(
    checkId,
    { subscriptionId: SUB_A, cluster, clusterId: clusterId(cluster), namespace, name, identityClientId: "aaaaaaaa-0000-0000-0000-000000000001" },
    { severity },
  );
}

export function health(cluster: string, status: ClusterHealth["status"] = "ok", findings = 0): ClusterHealth {
  return {
    clusterId: clusterId(cluster),
    cluster,
    subscriptionId: SUB_A,
    resourceGroup: `rg-${cluster}`,
    status,
    ...(status !== "ok" && { reason: `cluster ${status}` }),
    accessPath: status === "ok" ? "direct" : "none",
    durationMs: 120,
    requests: 9,
    findings,
    podsSeen: 10,
    workloadIdentityPods: 4,
    coverage: clusterCoverageOf(status),
  };
}

/** What the engine records for a cluster read whole ("ok"), or not reached at all. */
export function clusterCoverageOf(status: ClusterHealth["status"]): ClusterCoverage {
  return {
    checks: CHECKS.filter((check) => check.evaluateCluster !== undefined).map((check) =>
      status === "ok" || check.reads.length === 0
          ? { checkId: check.id, state: "complete", graded: true }
          : { checkId: check.id, state: "none", graded: false, reason: "unreachable" },
    ),
  };
}

/** What the engine records for fleet checks that read every identity of these subscriptions. */
export function fullFleetCoverage(subscriptions: readonly string[] = [SUB_A], applications: readonly string[] = []): FleetCoverage {
  return {
    checks: CHECKS.filter((c) => c.evaluateFleet !== undefined).map((c) => ({ checkId: c.id, state: "complete", graded: true })),
    subjects: "all",
    subscriptions: subscriptions.map((s) => s.toLowerCase()),
    applications: applications.map((a) => a.toLowerCase()),
    wholeScope: true,
  };
}

export function scanRun(id: string, startedAt: string, clusters: ClusterHealth[], findings: readonly Finding[] = []): ScanRun {
  const bySeverity = { high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  return {
    id,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 60_000).toISOString(),
    trigger: "cli",
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    tenantId: "00000000-0000-0000-0000-0000000000aa",
    subscriptions: [SUB_A],
    complete: clusters.every((c) => c.status === "ok"),
    clusters,
    counts: { clusters: clusters.length, clustersScanned: clusters.filter((c) => c.status === "ok").length, findings: findings.length, bySeverity },
    requests: { resourceGraph: 1, arm: 2, graph: 3, kubernetes: 4 },
    durationMs: 60_000,
  };
}

/** A table prefix no other test uses, so files and tests can share one Azurite. */
export function uniquePrefix(label: string): string {
  return `t${label.replace(/[^A-Za-z0-9]/g, "").slice(0, 12)}${randomBytes(4).toString("hex")}`;
}

export function azuriteConnectionString(): string {
  return inject("azuriteTables");
}

export async function testStore(
  label: string,
  options: StoreConnectionOptions = {},
  connectionString = azuriteConnectionString(),
): Promise<{ store: FindingsStore; prefix: string }> {
  const prefix = options.tablePrefix ?? uniquePrefix(label);
  const store = await createFindingsStore({ kind: "connection-string", connectionString, retentionDays: 90 }, { ...options, tablePrefix: prefix });
  return { store, prefix };
}

/**
 * Every row of every table of a store, without the service's own Timestamp
 * and etag, sorted: two stores holding the same data give equal dumps.
 */
export async function dumpTables(prefix: string, connectionString = azuriteConnectionString()): Promise<Record<string, unknown[]>> {
  const dump: Record<string, unknown[]> = {};
  for (const [key, name] of Object.entries(tableNames(prefix))) {
    const client = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
    const rows: unknown[] = [];
    for await (const e of client.listEntities<Record<string, unknown>>()) {
      const { etag: _etag, timestamp: _timestamp, ...rest } = e as Record<string, unknown>;
      rows.push(rest);
    }
    rows.sort((a, b) => key_(a).localeCompare(key_(b)));
    dump[key] = rows;
  }
  return dump;
}

function key_(row: unknown): string {
  const r = row as { partitionKey: string; rowKey: string };
  return `${r.partitionKey}\u0000${r.rowKey}`;
}

/** Drains an async iterable. */
export async function allOf<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}
