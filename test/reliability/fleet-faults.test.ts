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
import type { FaultRule, FaultsConfig, Simulator } from "../../simulator/index.js";
import { loadFleet } from "../../simulator/index.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";
import { describeCounts, summaryLine } from "./summary.js";

const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
/** The client's per-request timeout in these scans; the slow faults answer later than this. */
const REQUEST_TIMEOUT_MS = 2_000;
const SLOW_MS = REQUEST_TIMEOUT_MS + 1_500;
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
  return scanFleet(createAzureScanDependencies(clientsFor(sim), { collect: { requestTimeoutMs: REQUEST_TIMEOUT_MS, pageSize: 10 } }), {
    scope: { subscriptions: [], managementGroups: [], clusters: [] },
    concurrency: 6,
    trigger: "demo",
  });
}

/** Runs a scan on a fresh simulator, returns the outcome and what the simulator saw. */
async function scanWith(faults: FaultsConfig): Promise<{ outcome: ScanOutcome; requests: Record<string, number>; injected: Record<string, number> }> {
  const fleet = await loadFleet(DEMO_DIR);
  // Small pages: more requests to fail, and lists that must resume mid-way after a fault.
  const sim = await startFleetSimulator({ fleet, faults, armPageSize: 3, graphPageSize: 3, resourceGraphPageSize: 5 });
  try {
    const outcome = await scan(sim);
    return { outcome, requests: sim.requestCounts(), injected: sim.faultCounts() };
  } finally {
    await sim.close();
  }
}

/** The demo fleet's own faults (a forbidden pod list on one cluster) stay: they are part of its answer key. */
async function demoFaults(): Promise<FaultRule[]> {
  const fleet = await loadFleet(DEMO_DIR);
  return ((fleet.faults as FaultsConfig | undefined)?.rules ?? []) as FaultRule[];
}

let clean: Awaited<ReturnType<typeof scanWith>>;
let faulty: Awaited<ReturnType<typeof scanWith>>;
let cut: Awaited<ReturnType<typeof scanWith>>;

beforeAll(async () => {
  const own = await demoFaults();
  clean = await scanWith({ resourceGraphQuota: null, rules: own });
  const random = tenPercentFaults(20261130);
  faulty = await scanWith({ ...random, rules: [...own, ...(random.rules ?? [])] });
  const unreachable: FaultRule[] = UNREACHABLE.map((cluster) => ({ family: "kubernetes", cluster, fault: "unreachable" }));
  const random2 = tenPercentFaults(7);
  cut = await scanWith({ ...random2, rules: [...own, ...unreachable, ...(random2.rules ?? [])] });
}, 240_000);

describe("a scan of the demo fleet with 10% of Azure and Kubernetes requests failing", () => {
  it("injects every kind of failure on every API family", () => {
    for (const family of FAMILIES) {
      const fired = Object.entries(faulty.injected).filter(([k]) => k.startsWith(`${family} `)).reduce((a, [, n]) => a + n, 0);
      expect(fired, family).toBeGreaterThan(0);
    }
    for (const kind of ["status 429", "status 500", "status 503", "reset", "latency"]) {
      expect(Object.keys(faulty.injected).some((k) => k.includes(kind)), kind).toBe(true);
    }
  });

  it("ends with exactly the findings of a fault-free scan", () => {
    const expected = new Set(clean.outcome.findings.map(key));
    const found = new Set(faulty.outcome.findings.map(key));
    const missing = [...expected].filter((k) => !found.has(k)).map((k) => `missing:    ${k}`);
    const unexpected = [...found].filter((k) => !expected.has(k)).map((k) => `unexpected: ${k}`);
    expect([...missing, ...unexpected].sort()).toEqual([]);
    expect(faulty.outcome.findings).toHaveLength(clean.outcome.findings.length);
  });

  it("reports every cluster with the health of the fault-free scan", () => {
    const health = (o: ScanOutcome) => Object.fromEntries(o.scan.clusters.map((c) => [c.cluster, c.status]));
    expect(health(faulty.outcome)).toEqual(health(clean.outcome));
    expect(faulty.outcome.inventory.errors).toEqual([]);
  });

  it("retries each failed request a bounded number of times: extra requests never exceed the faults injected", () => {
    const injected = total(faulty.injected) - (faulty.injected["kubernetes forbidden"] ?? 0);
    const extra = total(faulty.requests) - total(clean.requests);
    expect(injected).toBeGreaterThan(20);
    expect(extra).toBeGreaterThan(0);
    // Each fault costs at most the one retry that replaces it (a retry that fails again is another fault).
    expect(extra).toBeLessThanOrEqual(injected);
    console.log({ clean: clean.requests, faulty: faulty.requests, injected: faulty.injected });
    summaryLine(
      "faults: demo fleet, 10% of requests failing",
      `${injected} faults (${describeCounts(faulty.injected)}) over ${total(faulty.requests)} requests; ${extra} retries (fault-free: ${total(clean.requests)} requests)`,
      `0 of ${clean.outcome.findings.length} findings, 0 of ${clean.outcome.scan.clusters.length} clusters`,
    );
  });
});

describe("the same scan with two clusters unreachable", () => {
  it("reports exactly the fault-free findings of every cluster it could reach", () => {
    const reachable = (f: Finding) => f.resource.cluster !== undefined && !UNREACHABLE.includes(f.resource.cluster);
    const expected = clean.outcome.findings.filter(reachable).map(key).sort();
    const found = cut.outcome.findings.filter(reachable).map(key).sort();
    expect(found).toEqual(expected);
  });

  it("reports each unreachable cluster with a scan.* finding, and nothing from its API server", () => {
    for (const cluster of UNREACHABLE) {
      const findings = cut.outcome.findings.filter((f) => f.resource.cluster === cluster);
      expect(findings.filter((f) => f.checkId.startsWith("scan.")).map((f) => f.checkId), cluster).toEqual(["scan.cluster-unreachable"]);
      // What ARM says about the cluster itself still holds; nothing can be known of its workloads.
      const others = findings.filter((f) => !f.checkId.startsWith("scan."));
      expect(others.filter((f) => !f.checkId.startsWith("cluster.") || f.resource.kind !== "ManagedCluster"), cluster).toEqual([]);
      expect(cut.outcome.scan.clusters.find((c) => c.cluster === cluster)?.status, cluster).toBe("unreachable");
    }
    expect(cut.outcome.scan.complete).toBe(false);
    summaryLine(
      "faults: two clusters unreachable, plus 10% failing requests",
      `${UNREACHABLE.length} unreachable clusters, ${total(cut.injected)} faults (${describeCounts(cut.injected)})`,
      `0 findings of the ${cut.outcome.scan.clusters.length - UNREACHABLE.length} reachable clusters; ${UNREACHABLE.length} scan.cluster-unreachable findings`,
    );
  });
});
