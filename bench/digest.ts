/**
 * Digest benchmark (not a test): renders the fleet digest for 50,000 open
 * findings across 200 clusters in 40 subscriptions (a tenth of them new, 2,000
 * resolved, long evidence values) and prints the time of each stage and the
 * size of the email. Run: npm run build && node dist/bench/digest.js [findings] [maxFindings]
 */
import { performance } from "node:perf_hooks";
import { buildDigestView, FLEET_AUDIENCE_ID, MAX_DIGEST_BYTES, renderDigest, renderDigestParts, type DigestData } from "../shared/digest/index.js";
import { findingId, type CheckId, type Severity } from "../shared/findings/index.js";
import type { ScanSummary, StoredClusterHealth, StoredFinding } from "../shared/store/model.js";

const FINDINGS = Number(process.argv[2] ?? 50_000);
const MAX_FINDINGS = Number(process.argv[3] ?? 200);
const CLUSTERS = 200;
const PREVIOUS = "2026-11-16T06:00:00.000Z";
const NOW = "2026-11-23T06:00:00.000Z";
const SEVERITIES: Severity[] = ["high", "medium", "medium", "low", "info"];
const CHECKS: CheckId[] = ["sa.no-matching-fic", "pod.label-missing", "fic.issuer-mismatch", "pod.not-mutated"];

function subscription(c: number): string {
  return `${String(c % 40).padStart(8, "0")}-0000-0000-0000-000000000000`;
}

function clusterHealth(c: number): StoredClusterHealth {
  const sub = subscription(c);
  return {
    clusterId: `/subscriptions/${sub}/resourceGroups/rg-${c}/providers/Microsoft.ContainerService/managedClusters/aks-${c}`,
    cluster: `aks-${c}`,
    subscriptionId: sub,
    resourceGroup: `rg-${c}`,
    status: c % 50 === 7 ? "forbidden" : "ok",
    ...(c % 50 === 7 && { reason: "pods is forbidden" }),
    accessPath: "direct",
    durationMs: 500 + (c % 17) * 100,
    requests: 14,
    findings: FINDINGS / CLUSTERS,
    podsSeen: 900,
    workloadIdentityPods: 400,
    findingsSaved: true,
  };
}

function finding(i: number, status: StoredFinding["status"], clusters: StoredClusterHealth[]): StoredFinding {
  const h = clusters[i % CLUSTERS]!;
  const checkId = CHECKS[i % CHECKS.length]!;
  const resource = { subscriptionId: h.subscriptionId, cluster: h.cluster, clusterId: h.clusterId, namespace: `team-${i % 60}`, kind: "ServiceAccount", name: `workload-${i}`, identityClientId: `${String(i % 5000).padStart(8, "0")}-1111-1111-1111-111111111111` };
  const openedAt = i % 10 === 0 ? NOW : PREVIOUS;
  return {
    id: findingId(checkId, resource),
    checkId,
    severity: SEVERITIES[i % SEVERITIES.length]!,
    title: "Service account has no federated credential for this cluster",
    resource,
    evidence: { expectedIssuer: `https://westeurope.oic.prod-aks.azure.com/${"0".repeat(36)}/${"1".repeat(36)}/`, subject: `system:serviceaccount:team-${i % 60}:workload-${i}`, annotation: "x".repeat(4000) },
    remediation: { text: "Create a federated credential for this cluster's issuer and the service account's subject.", command: `az identity federated-credential create --name aks-${i} --identity-name id-${i} --resource-group rg --issuer https://example --subject system:serviceaccount:team:workload-${i}` },
    docsUrl: "https://learn.microsoft.com/azure/aks/workload-identity-deploy-cluster",
    controls: ["MCSB IM-3"],
    status,
    firstSeenAt: openedAt,
    firstSeenScanId: "scan-0",
    lastSeenAt: NOW,
    lastSeenScanId: "scan-1",
    openedAt,
    openedScanId: "scan-0",
    changedAt: openedAt,
    ...(status === "resolved" && { resolvedAt: NOW, resolvedScanId: "scan-1" }),
  };
}

function scan(id: string, startedAt: string, findings: number): ScanSummary {
  return {
    id,
    startedAt,
    finishedAt: startedAt,
    trigger: "timer",
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    tenantId: "00000000-0000-0000-0000-0000000000aa",
    subscriptions: Array.from({ length: 40 }, (_, c) => subscription(c)),
    complete: false,
    counts: { clusters: CLUSTERS, clustersScanned: CLUSTERS - 4, findings, bySeverity: { high: findings / 5, medium: (2 * findings) / 5, low: findings / 5, info: findings / 5 } },
    requests: { resourceGraph: 4, arm: 400, graph: 20, kubernetes: 2800 },
    durationMs: 1_260_000,
  };
}

async function main(): Promise<void> {
  const clusters = Array.from({ length: CLUSTERS }, (_, c) => clusterHealth(c));
  const earlier = Array.from({ length: 7 }, (_, w) => scan(`scan-w${w}`, new Date(Date.parse(PREVIOUS) - (6 - w) * 7 * 86_400_000).toISOString(), FINDINGS + (6 - w) * 1000));
  const data: DigestData = {
    scan: scan("scan-1", NOW, FINDINGS),
    clusters,
    previousScan: earlier[6]!,
    earlierScans: earlier,
    open: Array.from({ length: FINDINGS }, (_, i) => finding(i, "open", clusters)),
    resolved: Array.from({ length: 2000 }, (_, i) => finding(FINDINGS + i, "resolved", clusters)),
    suppressed: [],
    trend: new Map(),
  };
  const audience = { id: FLEET_AUDIENCE_ID, recipients: ["security@example.com"] };
  const options = { maxFindings: MAX_FINDINGS, findingsApiBaseUrl: "https://wiscan.example.com/api" };

  await renderDigestParts(buildDigestView(data, audience, options)); // warm-up: template compilation, juice load

  let t = performance.now();
  const view = buildDigestView(data, audience, options);
  const viewMs = performance.now() - t;
  t = performance.now();
  const parts = await renderDigestParts(view);
  const renderMs = performance.now() - t;
  t = performance.now();
  const digest = await renderDigest(data, audience, options);
  const totalMs = performance.now() - t;

  console.log(`digest of ${FINDINGS} open findings (${MAX_FINDINGS} in detail), ${CLUSTERS} clusters, 40 subscriptions`);
  console.log(`  view model:          ${viewMs.toFixed(0)} ms`);
  console.log(`  templates + inline:  ${renderMs.toFixed(0)} ms`);
  console.log(`  whole digest:        ${totalMs.toFixed(0)} ms (fewer in detail until it fits)`);
  console.log(`  with ${MAX_FINDINGS} in detail:   HTML ${(Buffer.byteLength(parts.html) / 1024).toFixed(0)} KiB, text ${(Buffer.byteLength(parts.text) / 1024).toFixed(0)} KiB`);
  console.log(`  digest as built:     ${digest.detailedFindings} in detail, ${(digest.sizeBytes / 1024).toFixed(0)} KiB of parts (bound ${(MAX_DIGEST_BYTES / 1024).toFixed(0)} KiB)`);
  console.log(`  subject:             ${digest.subject}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
