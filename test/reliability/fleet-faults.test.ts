/**
 * The demo fleet scanned through a simulator that fails about one request in
 * ten, on every Azure API and every Kubernetes API server: 429 with
 * Retry-After, 500, 503, connection resets, and answers slower than the
 * client's timeout. The real engine and the real SDK clients; nothing mocked.
 * The reference is a fault-free scan of the same fleet: every cluster that
 * could be reached must end with exactly its findings, clusters made
 * unreachable with scan.* findings, and the retries stay bounded (the
 * simulator counts every request it received, faulted ones included).
 */
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureScanDependencies, scanFleet, type ScanOutcome } from "../../shared/engine/index.js";
import type { Finding } from "../../shared/findings/index.js";
import type { FaultRule, FaultsConfig, FleetDescription, Simulator, SimulatorOptions } from "../../simulator/index.js";
import { loadFleet } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";
import { describeCounts, summaryLine } from "./summary.js";

const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
/** The client's per-request timeout in these scans; the slow faults answer later than this. */
// Generous: on a loaded machine an ordinary answer must never miss it, or a retry would happen without a fault.
const REQUEST_TIMEOUT_MS = 3_000;
const SLOW_MS = REQUEST_TIMEOUT_MS + 1_000;
const FAMILIES = ["resourceGraph", "arm", "graph", "kubernetes"] as const;
const UNREACHABLE = ["marketing-web", "ml-sandbox"];

/** Faults of one request at most: the clients retry more often than this (Kubernetes twice, Azure three times). */
const MAX_FAULTS_PER_REQUEST = 2;

/**
 * About 10% of the requests of each family fail, split evenly over five kinds
 * of failure.
 */
function tenPercentFaults(seed: number): FaultsConfig {
  const share = 0.02;
  // One sure fault per family first: a scan sends only a few Resource Graph and Graph requests.
  const rules: FaultRule[] = [
    { family: "resourceGraph", fault: "status", status: 429, retryAfterSeconds: 1, count: 1 },
    { family: "graph", fault: "reset", count: 1 },
    { family: "arm", fault: "latency", latencyMs: SLOW_MS, count: 1 },
    { family: "kubernetes", fault: "status", status: 503, count: 1 },
    { family: "kubernetes", fault: "status", status: 500, count: 1 },
  ];
  rules.push(...FAMILIES.flatMap((family): FaultRule[] => [
    { family, fault: "status", status: 429, retryAfterSeconds: 1, probability: share },
    { family, fault: "status", status: 500, probability: share },
    { family, fault: "status", status: 503, probability: share },
    { family, fault: "reset", probability: share },
    { family, fault: "latency", latencyMs: SLOW_MS, probability: share },
  ]));
  return { seed, resourceGraphQuota: null, maxFaultsPerRequest: MAX_FAULTS_PER_REQUEST, rules };
}

const key = (f: Finding) => `${f.id} ${f.checkId} | ${f.resource.cluster ?? "-"} | ${f.resource.namespace ?? "-"} | ${f.resource.kind} | ${f.resource.name} | ${f.severity}`;
const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

async function scan(sim: Simulator): Promise<ScanOutcome> {
  return scanFleet(createAzureScanDependencies(clientsFor(sim, { requestTimeoutMs: REQUEST_TIMEOUT_MS }), { collect: { requestTimeoutMs: REQUEST_TIMEOUT_MS, pageSize: 10 } }), {
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    concurrency: 6,
    trigger: "demo",
  });
}

/** The demo fleet parsed once per file (about a second of CPU each time); each simulator gets its own copy. */
let demoFleet: Promise<FleetDescription> | undefined;
async function freshDemoFleet(): Promise<FleetDescription> {
  demoFleet ??= loadFleet(DEMO_DIR);
  return structuredClone(await demoFleet);
}

/** Runs a scan on a fresh simulator, returns the outcome and what the simulator saw. */
async function scanWith(
  faults: FaultsConfig,
  kubernetes: SimulatorOptions["kubernetes"] = {},
): Promise<{ outcome: ScanOutcome; requests: Record<string, number>; injected: Record<string, number> }> {
  const fleet = await freshDemoFleet();
  // Small pages: more requests to fail, and lists that must resume mid-way after a fault.
  const sim = await startFleetSimulator({ fleet, faults, kubernetes, armPageSize: 3, graphPageSize: 3, resourceGraphPageSize: 5 });
  try {
    const outcome = await scan(sim);
    return { outcome, requests: sim.requestCounts(), injected: sim.faultCounts() };
  } finally {
    await sim.close();
  }
}

/** The demo fleet's own faults (a forbidden pod list on one cluster) stay: they are part of its answer key. */
async function demoFaults(): Promise<FaultRule[]> {
  const fleet = await freshDemoFleet();
  return ((fleet.faults as FaultsConfig | undefined)?.rules ?? []) as FaultRule[];
}

let clean: Awaited<ReturnType<typeof scanWith>>;
let faulty: Awaited<ReturnType<typeof scanWith>>;
let expired: Awaited<ReturnType<typeof scanWith>>;
/** Clusters whose pod and replica set lists span several pages of 10; each gets continue tokens expired mid-list. */
const EXPIRING = ["payments-prod", "data-platform", "checkout-prod", "payments-staging"];

const reachable = (f: Finding) => f.resource.cluster === undefined || !UNREACHABLE.includes(f.resource.cluster);

beforeAll(async () => {
  const own = await demoFaults();
  clean = await scanWith({ resourceGraphQuota: null, rules: own });
  const random = tenPercentFaults(20261130);
  const unreachable: FaultRule[] = UNREACHABLE.map((cluster) => ({ family: "kubernetes", cluster, fault: "unreachable" }));
  faulty = await scanWith({ ...random, rules: [...own, ...unreachable, ...(random.rules ?? [])] });
  expired = await scanWith(
    { resourceGraphQuota: null, rules: own },
    { expireContinue: EXPIRING.flatMap((cluster) => [{ cluster, resource: "pods", after: 1, count: 2 }, { cluster, resource: "replicasets", after: 0, count: 1 }]) },
  );
}, 240_000);

describe("a scan of the demo fleet with 10% of Azure and Kubernetes requests failing and two clusters unreachable", () => {
  it("injects every kind of failure on every API family", () => {
    for (const family of FAMILIES) {
      const fired = Object.entries(faulty.injected).filter(([k]) => k.startsWith(`${family} `)).reduce((a, [, n]) => a + n, 0);
      expect(fired, family).toBeGreaterThan(0);
    }
    for (const kind of ["status 429", "status 500", "status 503", "reset", "latency"]) {
      expect(Object.keys(faulty.injected).some((k) => k.includes(kind)), kind).toBe(true);
    }
  });

  it("reports exactly the fault-free findings of every cluster it could reach, and of the fleet", () => {
    const expected = new Set(clean.outcome.findings.filter(reachable).map(key));
    const found = new Set(faulty.outcome.findings.filter(reachable).map(key));
    const missing = [...expected].filter((k) => !found.has(k)).map((k) => `missing:    ${k}`);
    const unexpected = [...found].filter((k) => !expected.has(k)).map((k) => `unexpected: ${k}`);
    expect([...missing, ...unexpected].sort()).toEqual([]);
    expect(faulty.outcome.findings.filter(reachable)).toHaveLength(expected.size);
  });

  it("reports every reachable cluster with the health of the fault-free scan", () => {
    const health = (o: ScanOutcome) => Object.fromEntries(o.scan.clusters.filter((c) => !UNREACHABLE.includes(c.cluster)).map((c) => [c.cluster, c.status]));
    expect(health(faulty.outcome)).toEqual(health(clean.outcome));
    expect(faulty.outcome.inventory.errors).toEqual([]);
  });

  it("reports each unreachable cluster with a scan.* finding, and nothing from its API server", () => {
    for (const cluster of UNREACHABLE) {
      const findings = faulty.outcome.findings.filter((f) => f.resource.cluster === cluster);
      expect(findings.filter((f) => f.checkId.startsWith("scan.")).map((f) => f.checkId), cluster).toEqual(["scan.cluster-unreachable"]);
      // What ARM says about the cluster itself still holds; nothing can be known of its workloads.
      const others = findings.filter((f) => !f.checkId.startsWith("scan."));
      expect(others.filter((f) => !f.checkId.startsWith("cluster.") || f.resource.kind !== "ManagedCluster"), cluster).toEqual([]);
      expect(faulty.outcome.scan.clusters.find((c) => c.cluster === cluster)?.status, cluster).toBe("unreachable");
    }
    expect(faulty.outcome.scan.complete).toBe(false);
  });

  it("retries each failed request a bounded number of times: extra requests never exceed the faults injected", () => {
    const transient = Object.entries(faulty.injected).filter(([k]) => !k.includes("forbidden") && !k.includes("unreachable"));
    const injected = transient.reduce((a, [, n]) => a + n, 0);
    // The unreachable clusters' API servers are never reached, so the fault-free scan's requests to them are not in the faulty total.
    const unreachableRequests = clean.outcome.scan.clusters.filter((c) => UNREACHABLE.includes(c.cluster)).reduce((a, c) => a + c.requests, 0);
    // Only the families faults are injected on: Entra (token) is never faulted, and MSAL may fetch a tenant's
    // OpenID metadata twice when two clients first sign in at the same moment, which is timing, not a retry.
    const faulted = (counts: Record<string, number>) => total(Object.fromEntries(FAMILIES.map((f) => [f, counts[f] ?? 0])));
    const baseline = faulted(clean.requests) - unreachableRequests;
    const extra = faulted(faulty.requests) - baseline;
    expect(injected).toBeGreaterThan(8);
    expect(extra).toBeGreaterThan(0);
    // Each fault costs at most the one retry that replaces it (a retry that fails again is another fault).
    expect(extra).toBeLessThanOrEqual(injected);
    const reachableFindings = clean.outcome.findings.filter(reachable).length;
    summaryLine(
      "faults: demo fleet, 10% of Azure and Kubernetes requests failing, 2 clusters unreachable",
      `${injected} transient faults (${describeCounts(Object.fromEntries(transient))}) over ${faulted(faulty.requests)} Resource Graph, ARM, Graph and Kubernetes requests, ${extra} more requests than the fault-free scan's ${baseline} (to the same clusters)`,
      `0 of ${reachableFindings} findings of the ${clean.outcome.scan.clusters.length - UNREACHABLE.length} reachable clusters and the fleet; ${UNREACHABLE.length} scan.cluster-unreachable findings for the unreachable ones`,
    );
  });
});

describe("a scan of the demo fleet whose list continue tokens expire mid-list (410 Gone)", () => {
  it("restarts the lists and sees every pod the fault-free scan saw", () => {
    const pods = (o: ScanOutcome) => Object.fromEntries(o.scan.clusters.map((c) => [c.cluster, [c.podsSeen, c.workloadIdentityPods]]));
    expect(pods(expired.outcome)).toEqual(pods(clean.outcome));
    const restarted = EXPIRING.reduce((sum, name) => sum + (clean.outcome.scan.clusters.find((c) => c.cluster === name)?.podsSeen ?? 0), 0);
    expect(restarted).toBeGreaterThan(EXPIRING.length * 10);
  });

  it("ends with exactly the findings of the fault-free scan, every cluster as healthy", () => {
    expect(expired.outcome.findings.map(key).sort()).toEqual(clean.outcome.findings.map(key).sort());
    const health = (o: ScanOutcome) => o.scan.clusters.map((c) => `${c.cluster} ${c.status}`).sort();
    expect(health(expired.outcome)).toEqual(health(clean.outcome));
    // Each restart re-reads the pages before the expiry: more requests, never fewer.
    expect(total(expired.requests)).toBeGreaterThan(total(clean.requests));
    summaryLine(
      "faults: expired list continue tokens (410 Gone)",
      `up to ${EXPIRING.length * 3} expired continue tokens on the pod and replica set lists of ${EXPIRING.length} clusters, ${total(expired.requests) - total(clean.requests)} pages read again`,
      `0 of ${clean.outcome.scan.clusters.reduce((a, c) => a + c.podsSeen, 0)} pods, 0 of ${clean.outcome.findings.length} findings`,
    );
  });
});
