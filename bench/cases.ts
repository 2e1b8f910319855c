/**
 * The benchmark's cases and what each result means: the lower bound, the
 * pages a scan must read, and the targets of issue 7. No I/O here.
 */
import type { FaultsConfig } from "../simulator/faults.js";
import { lowerBound, resourceGraphPages, type LowerBound, type Quota } from "./lower-bound.js";
import { REQUEST_KINDS, type FleetFacts, type FleetSpec, type ScanJob, type ScanMeasurement } from "./protocol.js";

export interface BenchSettings {
  sizes: number[];
  latencyMs: number;
  concurrency: number;
  kubernetesConcurrency: number;
  inventoryConcurrency: number;
  pageSize: number;
  giantPods: number;
  baselineSize: number;
  clustersPerSubscription: number;
  /** ARM reads per subscription: a bucket of `armBurst` refilled at `armReadsPerSecond`, as Azure's. */
  armReadsPerSecond: number;
  armBurst: number;
  resourceGraphQuota: Quota;
  /** A second small fleet with this many service accounts per cluster, to show that requests do not grow with them; 0 skips it. */
  manyServiceAccounts: number;
  seed: number;
}

export type ScanConfig = Omit<ScanJob, "connection" | "kubernetesEndpoint">;

export interface BenchCase {
  name: string;
  kind: "fleet" | "giant" | "baseline" | "service-accounts";
  spec: FleetSpec;
  config: ScanConfig;
}

export function benchCases(s: BenchSettings): BenchCase[] {
  const scanner: ScanConfig = {
    concurrency: s.concurrency,
    kubernetesConcurrency: s.kubernetesConcurrency,
    inventoryConcurrency: s.inventoryConcurrency,
    pageSize: s.pageSize,
  };
  const spec = (clusters: number, extra: Partial<FleetSpec> = {}): FleetSpec => ({
    clusters,
    subscriptions: Math.max(1, Math.ceil(clusters / s.clustersPerSubscription)),
    seed: s.seed,
    pageSize: s.pageSize,
    latencyMs: s.latencyMs,
    faults: faultsFor(s, Math.max(1, Math.ceil(clusters / s.clustersPerSubscription))),
    ...extra,
  });
  const cases: BenchCase[] = s.sizes.map((n) => ({ name: `${n} clusters`, kind: "fleet", spec: spec(n), config: scanner }));
  const smallest = Math.min(...s.sizes);
  if (s.manyServiceAccounts > 0 && s.sizes.length > 0) {
    cases.push({ name: `${smallest} clusters, ${s.manyServiceAccounts} SAs each`, kind: "service-accounts", spec: spec(smallest, { serviceAccountsPerCluster: s.manyServiceAccounts }), config: scanner });
  }
  if (s.giantPods > 0) {
    cases.push({ name: `giant (${s.giantPods} pods)`, kind: "giant", spec: { ...spec(1), giantClusterPods: s.giantPods }, config: scanner });
  }
  if (s.baselineSize > 0) {
    cases.push({
      name: `${s.baselineSize} clusters, concurrency 1`,
      kind: "baseline",
      spec: spec(s.baselineSize),
      config: { concurrency: 1, kubernetesConcurrency: 1, inventoryConcurrency: 1, pageSize: s.pageSize },
    });
  }
  return cases;
}

/**
 * Azure's throttling for this fleet. The simulator keeps one ARM read quota
 * per caller, while Azure keeps one per subscription: the fleet's aggregate
 * (subscriptions x bucket, refilled over bucket / rate seconds) stands in.
 */
export function faultsFor(s: BenchSettings, subscriptions: number): FaultsConfig {
  return {
    resourceGraphQuota: s.resourceGraphQuota,
    armReadQuota: armQuota(s, subscriptions),
  };
}

export function armQuota(s: Pick<BenchSettings, "armBurst" | "armReadsPerSecond">, subscriptions: number): Quota {
  return { limit: s.armBurst * subscriptions, windowSeconds: s.armBurst / s.armReadsPerSecond };
}

export interface CaseResult {
  name: string;
  kind: BenchCase["kind"];
  spec: FleetSpec;
  config: ScanConfig;
  facts: FleetFacts;
  measurement: ScanMeasurement;
  /** Load averages (1, 5, 15 min) before and after the scan: the machine is shared. */
  loadBefore: number[];
  loadAfter: number[];
  /** The simulator child: fleet generation time, RSS once serving, CPU time over its whole life. */
  simulator: { generateMs: number; rssBytes: number; cpuMs?: number };
  /** Requests the checks need: every attempt except retries. */
  neededRequests: number;
  expected: { resourceGraphPages: number; podPages: number };
  bound: LowerBound;
  ratio: number;
}

export function evaluate(
  benchCase: BenchCase,
  facts: FleetFacts,
  measurement: ScanMeasurement,
  parseBytesPerSecond: number,
  extra: Pick<CaseResult, "loadBefore" | "loadAfter" | "simulator">,
): CaseResult {
  const { spec, config } = benchCase;
  const first = (kind: (typeof REQUEST_KINDS)[number]) => measurement.requests[kind].requests - measurement.requests[kind].retries;
  const neededRequests = REQUEST_KINDS.reduce((sum, kind) => sum + first(kind), 0);
  const responseBytes = REQUEST_KINDS.reduce((sum, kind) => sum + measurement.requests[kind].bytes, 0);
  const throttled = [{ api: "resourceGraph", requests: first("resourceGraph"), quota: spec.faults.resourceGraphQuota ?? { limit: 15, windowSeconds: 5 } }];
  if (spec.faults.armReadQuota) throttled.push({ api: "armReads", requests: measurement.armReads - measurement.requests.arm.retries, quota: spec.faults.armReadQuota });
  const bound = lowerBound({
    requests: neededRequests,
    latencyMs: spec.latencyMs,
    concurrency: Math.max(config.concurrency * config.kubernetesConcurrency, config.inventoryConcurrency),
    throttled,
    responseBytes,
    parseBytesPerSecond,
  });
  // Queries: subscriptions, then clusters, identities, role assignments and role definitions per batch of 1000 subscriptions.
  const batches = Math.max(1, Math.ceil(facts.subscriptions / 1000));
  const roleDefinitions = 13;
  const expectedRg =
    resourceGraphPages([facts.subscriptions]) + batches * resourceGraphPages([facts.clusters, facts.identities, facts.roleAssignments, roleDefinitions].map((rows) => rows / batches));
  return {
    name: benchCase.name,
    kind: benchCase.kind,
    spec,
    config,
    facts,
    measurement,
    ...extra,
    neededRequests,
    expected: { resourceGraphPages: expectedRg, podPages: facts.podPages },
    bound,
    ratio: bound.boundMs > 0 ? measurement.wallMs / bound.boundMs : Number.NaN,
  };
}

export interface TargetCheck {
  target: string;
  met: boolean;
  detail: string;
}

/** Issue 7's targets, judged on this run's results. */
export function checkTargets(results: readonly CaseResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const fleets = results.filter((r) => r.kind === "fleet");
  for (const r of fleets) {
    checks.push({ target: `wall time within 1.5x of the lower bound (${r.name})`, met: r.ratio <= 1.5, detail: `${r.ratio.toFixed(2)}x` });
  }
  const baseline = results.find((r) => r.kind === "baseline");
  const same = baseline && fleets.find((r) => r.spec.clusters === baseline.spec.clusters);
  if (baseline && same) {
    const speedUp = baseline.measurement.wallMs / same.measurement.wallMs;
    checks.push({ target: `at least 50x faster than concurrency 1 (${same.name})`, met: speedUp >= 50, detail: `${speedUp.toFixed(1)}x` });
  }
  const perCluster = (r: CaseResult) => r.measurement.requests.kubernetes.requests / Math.max(1, r.measurement.clusters);
  const manySa = results.find((r) => r.kind === "service-accounts");
  const sameSize = manySa && fleets.find((r) => r.spec.clusters === manySa.spec.clusters);
  if (manySa && sameSize) {
    checks.push({
      target: "Kubernetes requests per cluster independent of the number of service accounts",
      met: perCluster(manySa) <= perCluster(sameSize),
      detail: `${perCluster(sameSize).toFixed(2)} with ${sameSize.spec.serviceAccountsPerCluster ?? 30} SAs, ${perCluster(manySa).toFixed(2)} with ${manySa.spec.serviceAccountsPerCluster}`,
    });
  }
  for (const r of results) {
    checks.push({ target: `at most one request per page of pods (${r.name})`, met: r.measurement.podPages <= r.expected.podPages, detail: `${r.measurement.podPages} requests, ${r.expected.podPages} pages` });
    const rg = r.measurement.requests.resourceGraph.requests - r.measurement.requests.resourceGraph.retries;
    checks.push({ target: `Resource Graph requests equal the pages of results (${r.name})`, met: rg === r.expected.resourceGraphPages, detail: `${rg} requests, ${r.expected.resourceGraphPages} pages` });
  }
  const largest = fleets.reduce<CaseResult | undefined>((max, r) => (!max || r.spec.clusters > max.spec.clusters ? r : max), undefined);
  if (largest) {
    checks.push({ target: `peak RSS under 300 MB (${largest.name})`, met: largest.measurement.peakRssBytes < 300 * 2 ** 20, detail: mb(largest.measurement.peakRssBytes) });
  }
  const giant = results.find((r) => r.kind === "giant");
  if (giant) checks.push({ target: "peak RSS under 150 MB (giant cluster)", met: giant.measurement.peakRssBytes < 150 * 2 ** 20, detail: mb(giant.measurement.peakRssBytes) });
  return checks;
}

export const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
