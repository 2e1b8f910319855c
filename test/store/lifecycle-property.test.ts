/**
 * The lifecycle under random scans, against Azurite: random fleets of
 * findings that come and go, scanned by random sequences of full, narrowed
 * (--check, --cluster, --subscription, probe on or off), faulted (a cluster
 * unreachable or forbidden in a namespace, an identity's credentials
 * unreadable, a Microsoft Graph outage, a subscription Resource Graph stops
 * returning) and killed-then-rerun scans. Coverage comes from the real runner
 * on builder snapshots that carry those faults; findings from what is true
 * where the scan looked; the real store saves them.
 *
 * Invariants, checked after every scan against what the scan's parameters say
 * it could see (never against the coverage code itself):
 * - a finding is resolved only by a scan that selected its check, read its
 *   cluster (and namespace, identity, subscription) and no longer saw it;
 * - a finding is re-graded only by a scan that read what its severity depends on;
 * - no finding is lost (every finding seen is stored, every open one is in the open list) or duplicated;
 * - a kill at any point, then a rerun, leaves the store as if no kill happened.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CHECKS, buildFleetView, runClusterChecks, runFleetChecks, summarizeClusterUsage } from "../../shared/checks/index.js";
import type { ClusterSnapshot } from "../../shared/cluster/model.js";
import { coversClusterFinding, coversFleetFinding, type ClusterCoverage, type FleetCoverage } from "../../shared/coverage/index.js";
import { findingId, type CheckId, type Finding, type FindingResource } from "../../shared/findings/index.js";
import type { AksCluster, Inventory, ManagedIdentity } from "../../shared/inventory/model.js";
import type { ClusterHealth, ScanRun } from "../../shared/scan/model.js";
import type { FindingsStore, StoredFinding } from "../../shared/store/index.js";
import { APP_CLIENT_ID, app, CLIENT_ID, cluster, identity, inventory, NS, snapshot, SUBSCRIPTION } from "../checks/builders.js";
import { startCuttingProxy } from "./cutting-proxy.js";
import { azuriteConnectionString, dumpTables, testStore } from "./fixtures.js";

const SUB_A = SUBSCRIPTION;
const SUB_B = "9b2a7c3d-4e5f-4a6b-8c7d-1e2f3a4b5c6d";
const OTHER_NS = "payments";
const CLIENT_B = "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e";

interface ClusterSpec {
  name: string;
  subscriptionId: string;
}
const CLUSTERS: ClusterSpec[] = [
  { name: "aks-a1", subscriptionId: SUB_A },
  { name: "aks-a2", subscriptionId: SUB_A },
  { name: "aks-b1", subscriptionId: SUB_B },
];
const clusterOf = (spec: ClusterSpec): AksCluster =>
  cluster({ name: spec.name, subscriptionId: spec.subscriptionId, id: `/subscriptions/${spec.subscriptionId}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/${spec.name}` });

/** The checks the universe exercises: namespaced, identity-bound, cluster-wide and graded, opt-in, fleet-level. */
const CLUSTER_CHECKS: CheckId[] = ["pod.label-missing", "sa.no-matching-fic", "cluster.oidc-issuer-disabled", "probe.token-exchange-failed"];
const FLEET_CHECKS: CheckId[] = ["fic.audience-missing", "identity.no-role-assignments"];

/** Every finding that could exist in the universe. */
interface Potential {
  finding: Finding;
  /** Cluster it lives in, for cluster-level findings. */
  cluster?: ClusterSpec;
}

function potentialFindings(): Potential[] {
  const out: Potential[] = [];
  const make = (checkId: CheckId, resource: FindingResource): Finding => ({
    id: findingId(checkId, resource),
    checkId,
    severity: "high",
    title: checkId,
    resource,
    evidence: {},
    remediation: { text: "fix it" },
    docsUrl: "https://example.test",
    controls: [],
  });
  for (const spec of CLUSTERS) {
    const c = clusterOf(spec);
    const at = (namespace: string | undefined, kind: string, name: string, clientId?: string): FindingResource => ({
      subscriptionId: spec.subscriptionId,
      cluster: spec.name,
      clusterId: c.id,
      ...(namespace !== undefined && { namespace }),
      kind,
      name,
      ...(clientId !== undefined && { identityClientId: clientId, identityId: `/subscriptions/${SUB_A}/id/${clientId}` }),
    });
    for (const namespace of [NS, OTHER_NS]) out.push({ cluster: spec, finding: make("pod.label-missing", at(namespace, "Deployment", "api")) });
    out.push({ cluster: spec, finding: make("sa.no-matching-fic", at(NS, "ServiceAccount", "orders-sa", CLIENT_ID)) });
    out.push({ cluster: spec, finding: make("cluster.oidc-issuer-disabled", at(undefined, "ManagedCluster", spec.name)) });
    out.push({ cluster: spec, finding: make("probe.token-exchange-failed", at(NS, "ServiceAccount", "orders-sa", CLIENT_ID)) });
  }
  const principal = (clientId: string, subscriptionId: string | undefined, appReg = false): FindingResource => ({
    ...(subscriptionId !== undefined && { subscriptionId }),
    kind: "ManagedIdentity",
    name: clientId,
    identityClientId: clientId,
    identityId: appReg ? `app:${clientId}` : `/subscriptions/${subscriptionId}/id/${clientId}`,
  });
  for (const checkId of FLEET_CHECKS) {
    out.push({ finding: make(checkId, principal(CLIENT_ID, SUB_A)) });
    out.push({ finding: make(checkId, principal(CLIENT_B, SUB_B)) });
  }
  out.push({ finding: make("fic.audience-missing", principal(APP_CLIENT_ID, undefined, true)) });
  return out;
}
const UNIVERSE = potentialFindings();

type Fault = "ok" | "unreachable" | "forbidden-namespace";

interface ScanSpec {
  /** Indexes into UNIVERSE of the findings that are true now. */
  truth: number[];
  checks: CheckId[] | "all";
  cluster: number | null;
  subscription: string | null;
  probe: boolean;
  faults: Fault[];
  credentialsUnread: boolean;
  graphOutage: boolean;
  missingSubscription: string | null;
  incompleteTenant: boolean;
  /** Transactions let through before the connection drops; null: no kill. */
  killAfter: number | null;
}

const scanSpec: fc.Arbitrary<ScanSpec> = fc.record({
  truth: fc.subarray(UNIVERSE.map((_, i) => i)),
  checks: fc.oneof(fc.constant("all" as const), fc.subarray([...CLUSTER_CHECKS, ...FLEET_CHECKS], { minLength: 1 })),
  cluster: fc.option(fc.integer({ min: 0, max: CLUSTERS.length - 1 }), { freq: 4 }),
  subscription: fc.option(fc.constantFrom(SUB_A, SUB_B), { freq: 4 }),
  probe: fc.boolean(),
  faults: fc.array(fc.constantFrom<Fault>("ok", "ok", "ok", "unreachable", "forbidden-namespace"), { minLength: CLUSTERS.length, maxLength: CLUSTERS.length }),
  credentialsUnread: fc.boolean(),
  graphOutage: fc.boolean(),
  missingSubscription: fc.option(fc.constantFrom(SUB_A, SUB_B), { freq: 5 }),
  incompleteTenant: fc.boolean(),
  killAfter: fc.option(fc.integer({ min: 0, max: 6 }), { freq: 3 }),
});

/** What the engine would have produced for this scan: health with coverage per cluster, fleet coverage, findings. */
function runScan(spec: ScanSpec, index: number): { run: ScanRun; findings: Finding[]; fleet: FleetCoverage; scanned: Map<string, { fault: Fault; coverage: ClusterCoverage }> } | undefined {
  const inScope = (s: ClusterSpec) => (spec.subscription === null || s.subscriptionId === spec.subscription) && s.subscriptionId !== spec.missingSubscription;
  const specsInScope = CLUSTERS.filter(inScope);
  const scannedSpecs = spec.cluster === null ? specsInScope : specsInScope.filter((s) => s === CLUSTERS[spec.cluster!]);
  // The engine refuses a --cluster that is not in scope ("nothing to scan"): no scan, nothing saved.
  if (scannedSpecs.length === 0) return undefined;
  const subscriptions = (spec.subscription === null ? [SUB_A, SUB_B] : [spec.subscription]).filter((s) => s !== spec.missingSubscription);

  const identities: ManagedIdentity[] = [
    identity({ federatedCredentialsKnown: !spec.credentialsUnread, federatedCredentials: [] }),
    identity({ name: "id-b", clientId: CLIENT_B, federatedCredentials: [], principalId: "22222222-3333-4444-8555-666666666666", subscriptionId: SUB_B, id: `/subscriptions/${SUB_B}/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-b` }),
  ].filter((i) => subscriptions.includes(i.subscriptionId));
  const inv: Inventory = inventory({
    subscriptions: [...subscriptions, ...(spec.missingSubscription !== null && spec.subscription !== spec.missingSubscription ? [spec.missingSubscription] : [])].map((subscriptionId) => ({ subscriptionId })),
    complete: spec.subscription === null && spec.missingSubscription === null && !spec.incompleteTenant,
    ...(spec.subscription !== null && { partialScope: true }),
    ...(spec.missingSubscription !== null && { missingSubscriptions: [spec.missingSubscription] }),
    clusters: specsInScope.map(clusterOf),
    identities,
    applications: spec.graphOutage ? [] : [app()],
    errors: spec.graphOutage ? [{ kind: "error", operation: "applications", resource: APP_CLIENT_ID, message: "503" }] : [],
  });
  const view = buildFleetView(inv);
  const selection = spec.checks === "all" ? {} : { include: spec.checks };

  const health: ClusterHealth[] = [];
  const findings: Finding[] = [];
  const scanned = new Map<string, { fault: Fault; coverage: ClusterCoverage }>();
  const usages = [];
  for (const s of scannedSpecs) {
    const fault = spec.faults[CLUSTERS.indexOf(s)]!;
    const snap = faulted(snapshot({ cluster: clusterOf(s), ...(spec.probe && { probeResults: [] }) }), fault);
    const result = runClusterChecks(view, snap, selection);
    usages.push(summarizeClusterUsage(snap, []));
    scanned.set(s.name, { fault, coverage: result.coverage });
    health.push({
      clusterId: snap.cluster.id,
      cluster: s.name,
      subscriptionId: s.subscriptionId,
      resourceGroup: "rg-aks",
      status: fault === "ok" ? "ok" : fault === "unreachable" ? "unreachable" : "partial",
      accessPath: fault === "unreachable" ? "none" : "direct",
      durationMs: 1,
      requests: 1,
      findings: 0,
      podsSeen: 1,
      workloadIdentityPods: 1,
      coverage: result.coverage,
    });
    // True where the scan looked; a scan that did not read something cannot report it either.
    for (const p of UNIVERSE.filter((p, i) => p.cluster === s && spec.truth.includes(i))) {
      if (!coversClusterFinding(result.coverage, p.finding.checkId, p.finding.resource)) continue;
      const graded = coversClusterFinding(result.coverage, p.finding.checkId, p.finding.resource, true);
      findings.push({ ...p.finding, severity: graded ? "high" : "medium" });
    }
  }
  const fleetRun = runFleetChecks(view, usages, selection, CHECKS, spec.cluster === null ? [] : scannedSpecs.map((s) => clusterOf(s).id));
  for (const p of UNIVERSE.filter((p, i) => p.cluster === undefined && spec.truth.includes(i))) {
    if (!coversFleetFinding(fleetRun.coverage, p.finding.checkId, p.finding.resource)) continue;
    const graded = coversFleetFinding(fleetRun.coverage, p.finding.checkId, p.finding.resource, true);
    findings.push({ ...p.finding, severity: graded ? "high" : "low" });
  }

  const id = `scan-${String(index).padStart(2, "0")}`;
  const startedAt = new Date(Date.UTC(2026, 9, 1) + index * 86_400_000).toISOString();
  const run: ScanRun = {
    id,
    startedAt,
    finishedAt: startedAt,
    trigger: "cli",
    scope: { subscriptions: spec.subscription === null ? [] : [spec.subscription], managementGroups: [], clusters: spec.cluster === null ? [] : [CLUSTERS[spec.cluster]!.name] },
    tenantId: inv.tenantId,
    subscriptions: inv.subscriptions.map((s) => s.subscriptionId),
    complete: false,
    clusters: health,
    counts: { clusters: health.length, clustersScanned: health.length, findings: findings.length, bySeverity: { high: 0, medium: 0, low: 0, info: 0 } },
    requests: { resourceGraph: 0, arm: 0, graph: 0, kubernetes: 0 },
    durationMs: 1,
  };
  return { run, findings, fleet: fleetRun.coverage, scanned };
}

function faulted(s: ClusterSnapshot, fault: Fault): ClusterSnapshot {
  if (fault === "unreachable") {
    return { ...s, accessPath: "none", namespaces: [], serviceAccounts: [], pods: [], workloads: [], webhookDeployments: [], mutatingWebhooks: [], errors: [{ kind: "unreachable", resource: "namespaces", verb: "list", message: "connect ETIMEDOUT" }] };
  }
  if (fault === "forbidden-namespace") return { ...s, errors: [{ kind: "forbidden", resource: "pods", verb: "list", namespace: OTHER_NS, message: "forbidden", httpStatus: 403 }] };
  return s;
}

/**
 * Whether the scan, by its parameters alone, could have evaluated this
 * finding: the oracle the store's resolutions are held to.
 */
function couldSee(spec: ScanSpec, p: Potential): boolean {
  const { checkId, resource } = p.finding;
  if (spec.checks !== "all" && !spec.checks.includes(checkId)) return false;
  if (p.cluster !== undefined) {
    const s = p.cluster;
    if (s.subscriptionId === spec.missingSubscription) return false;
    if (spec.subscription !== null && s.subscriptionId !== spec.subscription) return false;
    if (spec.cluster !== null && CLUSTERS[spec.cluster] !== s) return false;
    const fault = spec.faults[CLUSTERS.indexOf(s)];
    if (fault === "unreachable" && checkId !== "cluster.oidc-issuer-disabled") return false;
    if (fault === "forbidden-namespace" && checkId === "pod.label-missing" && resource.namespace === OTHER_NS) return false;
    if (checkId === "probe.token-exchange-failed" && !spec.probe) return false;
    // These read the identity the service account names (in subscription A) and its credentials.
    if (checkId === "sa.no-matching-fic" || checkId === "probe.token-exchange-failed") {
      if (spec.credentialsUnread || spec.missingSubscription === SUB_A || (spec.subscription !== null && spec.subscription !== SUB_A)) return false;
    }
    return true;
  }
  const clientId = resource.identityClientId!;
  const tenantRead = spec.subscription === null && spec.missingSubscription === null && !spec.incompleteTenant;
  if (spec.cluster !== null) {
    // A --cluster scan judges the identities its cluster's workloads use (those of a cluster it reached).
    if (clientId !== CLIENT_ID || spec.faults[spec.cluster] === "unreachable") return false;
  }
  if (resource.identityId!.startsWith("app:")) return !spec.graphOutage;
  if (resource.subscriptionId === spec.missingSubscription) return false;
  if (spec.subscription !== null && resource.subscriptionId !== spec.subscription) return false;
  if (checkId === "fic.audience-missing") return !(clientId === CLIENT_ID && spec.credentialsUnread);
  // identity.no-role-assignments: usage known (every cluster of every subscription read whole, or a reached cluster uses it).
  const everyClusterRead = tenantRead && spec.cluster === null && spec.faults.every((f) => f === "ok");
  const usedOnReached = clientId === CLIENT_ID && CLUSTERS.some((s, i) => (spec.cluster === null || spec.cluster === i) && spec.faults[i] !== "unreachable");
  return everyClusterRead || usedOnReached;
}

/** Whether the scan read what the severity depends on (the oracle for re-grading). */
function couldGrade(spec: ScanSpec, p: Potential): boolean {
  if (!couldSee(spec, p)) return false;
  if (p.finding.checkId === "cluster.oidc-issuer-disabled") return spec.faults[CLUSTERS.indexOf(p.cluster!)] === "ok";
  // Its severity says whether assignments could sit in a subscription the scan did not read.
  if (p.finding.checkId === "identity.no-role-assignments") return spec.subscription === null && spec.missingSubscription === null && !spec.incompleteTenant;
  return true;
}

async function save(store: FindingsStore, prefix: string, scan: NonNullable<ReturnType<typeof runScan>>, killAfter: number | null): Promise<void> {
  if (killAfter !== null) {
    const proxy = await startCuttingProxy(azuriteConnectionString(), killAfter);
    try {
      const { store: doomed } = await testStore("killed", { tablePrefix: prefix, clientOptions: { retryOptions: { maxRetries: 0 } } }, proxy.connectionString);
      await doomed.saveScan(scan.run, scan.findings, scan.fleet).catch(() => undefined);
    } finally {
      await proxy.close();
    }
  }
  await store.saveScan(scan.run, scan.findings, scan.fleet);
}

async function storedById(store: FindingsStore): Promise<Map<string, StoredFinding>> {
  const all = new Map<string, StoredFinding>();
  for await (const f of store.allFindings({ status: "all" })) {
    expect(all.has(f.id), `finding ${f.id} listed twice`).toBe(false);
    all.set(f.id, f);
  }
  return all;
}

describe("the findings lifecycle under random scans", () => {
  it("resolves or re-grades a finding only by a scan that covered it, and loses none, killed or not", { timeout: 600_000 }, async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(scanSpec, { minLength: 2, maxLength: 5 }), async (specs) => {
        runs += 1;
        const { store, prefix } = await testStore(`prop${runs}`);
        let before = new Map<string, StoredFinding>();
        for (const [index, spec] of specs.entries()) {
          const scan = runScan(spec, index);
          if (scan === undefined) continue;
          await save(store, prefix, scan, spec.killAfter);
          const after = await storedById(store);
          const seen = new Set(scan.findings.map((f) => f.id));
          for (const p of UNIVERSE) {
            const id = p.finding.id;
            const was = before.get(id);
            const now = after.get(id);
            // Nothing seen is lost.
            if (seen.has(id)) expect(now?.lastSeenScanId, `${p.finding.checkId} seen by ${scan.run.id}`).toBe(scan.run.id);
            if (was === undefined) continue;
            expect(now, `${p.finding.checkId} lost`).toBeDefined();
            if (was.status !== "resolved" && now!.status === "resolved") {
              expect(couldSee(spec, p), `${p.finding.checkId} on ${p.finding.resource.name} resolved by ${scan.run.id}, which could not see it`).toBe(true);
              expect(seen.has(id)).toBe(false);
            }
            if (was.status !== "resolved" && now!.status !== "resolved" && now!.severity !== was.severity) {
              expect(couldGrade(spec, p), `${p.finding.checkId} re-graded ${was.severity} -> ${now!.severity} by ${scan.run.id}`).toBe(true);
            }
            // A finding the scan covered, true and not seen, cannot be: the scan saw everything it covered.
            if (couldSee(spec, p) && !seen.has(id) && was.status !== "resolved") expect(now!.status, `${p.finding.checkId} covered and gone`).toBe("resolved");
          }
          // The open list (ActiveFindings) holds exactly the open findings of the current state.
          const open = await collectIds(store, "open");
          expect(open.sort()).toEqual([...after.values()].filter((f) => f.status === "open").map((f) => f.id).sort());
          before = after;
        }
        // A kill at any point, then a rerun, leaves the rows an uninterrupted run leaves.
        if (specs.some((s) => s.killAfter !== null)) {
          const { store: clean, prefix: cleanPrefix } = await testStore(`prop${runs}clean`);
          for (const [index, spec] of specs.entries()) {
            const scan = runScan(spec, index);
            if (scan !== undefined) await clean.saveScan(scan.run, scan.findings, scan.fleet);
          }
          expect(await dumpTables(prefix)).toEqual(await dumpTables(cleanPrefix));
        }
      }),
      { numRuns: 40, seed: Number(process.env["WISCAN_PROPERTY_SEED"] ?? 20261206) },
    );
  });
});

async function collectIds(store: FindingsStore, status: "open"): Promise<string[]> {
  const ids: string[] = [];
  for await (const f of store.allFindings({ status })) ids.push(f.id);
  return ids;
}

