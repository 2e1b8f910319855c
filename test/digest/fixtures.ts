/** Stored findings, cluster health and scans for the digest tests, without a store. */
import { findingId, type CheckId, type Finding, type FindingResource, type Severity } from "../../shared/findings/index.js";
import type { DigestData } from "../../shared/digest/index.js";
import type { ScanSummary, StoredClusterHealth, StoredFinding } from "../../shared/store/model.js";

export const SUB_A = "11111111-1111-1111-1111-111111111111";
export const SUB_B = "22222222-2222-2222-2222-222222222222";
export const HOSTILE = "<img src=x onerror=alert(1)>";
export const S0 = "2026-11-16T06:00:00.000Z";
export const S1 = "2026-11-23T06:00:00.000Z";

export function clusterId(name: string, sub = SUB_A): string {
  return `/subscriptions/${sub}/resourceGroups/rg-${name}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

export function stored(
  checkId: CheckId,
  resource: Partial<FindingResource> & { name: string },
  options: { severity?: Severity; openedAt?: string; status?: StoredFinding["status"]; resolvedAt?: string; evidence?: Finding["evidence"]; title?: string; command?: string; controls?: string[] } = {},
): StoredFinding {
  const full: FindingResource = { kind: "ServiceAccount", subscriptionId: SUB_A, ...resource };
  const openedAt = options.openedAt ?? S1;
  return {
    id: findingId(checkId, full),
    checkId,
    severity: options.severity ?? "high",
    title: options.title ?? `${checkId} on ${full.name}`,
    resource: full,
    evidence: options.evidence ?? { expected: "a", actual: "b" },
    remediation: { text: "Fix it.", command: options.command ?? `kubectl annotate sa ${full.name} azure.workload.identity/client-id=x` },
    docsUrl: "https://learn.microsoft.com/azure/aks/workload-identity-overview",
    controls: options.controls ?? ["MCSB IM-3"],
    status: options.status ?? "open",
    firstSeenAt: openedAt,
    firstSeenScanId: "scan-x",
    lastSeenAt: S1,
    lastSeenScanId: "scan-1",
    openedAt,
    openedScanId: "scan-x",
    changedAt: options.resolvedAt ?? openedAt,
    ...(options.resolvedAt !== undefined && { resolvedAt: options.resolvedAt, resolvedScanId: "scan-1" }),
  };
}

export function saFinding(cluster: string, namespace: string, name: string, options: Parameters<typeof stored>[2] = {}, sub = SUB_A): StoredFinding {
  return stored("sa.no-matching-fic", { subscriptionId: sub, cluster, clusterId: clusterId(cluster, sub), namespace, name, identityClientId: "aaaaaaaa-0000-0000-0000-000000000001" }, options);
}

export function health(cluster: string, options: Partial<StoredClusterHealth> = {}, sub = SUB_A): StoredClusterHealth {
  return {
    clusterId: clusterId(cluster, sub),
    cluster,
    subscriptionId: sub,
    resourceGroup: `rg-${cluster}`,
    status: "ok",
    accessPath: "direct",
    durationMs: 1200,
    requests: 9,
    findings: 0,
    podsSeen: 20,
    workloadIdentityPods: 10,
    findingsSaved: true,
    ...options,
  };
}

export function scanSummary(id: string, startedAt: string, findings = 0, subscriptions = [SUB_A, SUB_B]): ScanSummary {
  return {
    id,
    startedAt,
    finishedAt: new Date(Date.parse(startedAt) + 95_000).toISOString(),
    trigger: "timer",
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    tenantId: "00000000-0000-0000-0000-0000000000aa",
    subscriptions,
    complete: true,
    counts: { clusters: 3, clustersScanned: 3, findings, bySeverity: { high: findings, medium: 0, low: 0, info: 0 } },
    requests: { resourceGraph: 1, arm: 2, graph: 3, kubernetes: 4 },
    durationMs: 95_000,
  };
}

export function digestData(overrides: Partial<DigestData> = {}): DigestData {
  return {
    scan: scanSummary("scan-1", S1),
    clusters: [health("aks-one"), health("aks-two"), health("aks-three", {}, SUB_B)],
    previousScan: scanSummary("scan-0", S0),
    earlierScans: [scanSummary("scan-0", S0, 4)],
    open: [],
    resolved: [],
    suppressed: [],
    trend: new Map(),
    ...overrides,
  };
}
