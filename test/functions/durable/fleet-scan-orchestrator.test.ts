import { beforeAll, describe, expect, it } from "vitest";
import { CLUSTERS_PER_LEAF, RANGES_PER_BRANCH } from "../../../functions/durable/cluster-ranges.js";
import type {
  ClusterScanReport,
  ClusterTally,
  FleetScanInput,
  FleetScanResult,
  RecordClusterFailureInput,
  ScanClusterInput,
} from "../../../functions/durable/model.js";
import {
  CLEANUP_ACTIVITY,
  CLUSTER_RANGE_ORCHESTRATOR,
  COMPARE_SCANS_ACTIVITY,
  COMPLETE_SCAN_ACTIVITY,
  DIGEST_ACTIVITY,
  FLEET_CHECKS_ACTIVITY,
  FLEET_SCAN_ORCHESTRATOR,
  INVENTORY_ACTIVITY,
  RECORD_CLUSTER_FAILURE_ACTIVITY,
  SCAN_CLUSTER_ACTIVITY,
} from "../../../functions/durable/names.js";
import { allRecords, captureFunctions, DurableTestHost, EVENT, type ActivityOutcome, type RegisteredFunctions } from "./durable-test-host.js";

const severities = (high = 0) => ({ high, medium: 0, low: 0, info: 0 });
const SCAN_ID = "20261130T060000Z-timer";
const INPUT: FleetScanInput = { trigger: "timer", scope: { subscriptions: [], managementGroups: [], clusters: [] }, sendDigest: true };

interface Call {
  name: string;
  input: unknown;
  attempt: number;
}

/**
 * Stand-ins for the activities, answering as the real ones do (counts only):
 * this file is about the orchestration; the end-to-end test runs the real ones.
 */
function fleetOf(clusters: number, fails: (index: number, attempt: number) => string | undefined = () => undefined) {
  const calls: Call[] = [];
  const run = async (name: string, input: unknown, attempt: number): Promise<ActivityOutcome> => {
    calls.push({ name, input, attempt });
    switch (name) {
      case INVENTORY_ACTIVITY:
        return { ok: true, value: clusters === 0 ? { clusters: 0, subscriptions: 1, nothingToScan: "No AKS cluster found" } : { clusters, subscriptions: 1 } };
      case SCAN_CLUSTER_ACTIVITY: {
        const { index } = input as ScanClusterInput;
        const error = fails(index, attempt);
        if (error !== undefined) return { ok: false, error };
        const report: ClusterScanReport = { clusterId: `c${index}`, status: "ok", findings: 1, bySeverity: severities(1), checkFailures: 0 };
        return { ok: true, value: report };
      }
      case RECORD_CLUSTER_FAILURE_ACTIVITY: {
        const { index } = input as RecordClusterFailureInput;
        const report: ClusterScanReport = { clusterId: `c${index}`, status: "error", findings: 1, bySeverity: { ...severities(), medium: 1 }, checkFailures: 0 };
        return { ok: true, value: report };
      }
      case FLEET_CHECKS_ACTIVITY:
        return { ok: true, value: { findings: 2, bySeverity: severities(2), checkFailures: 0 } };
      case COMPLETE_SCAN_ACTIVITY:
        return { ok: true, value: { complete: true, clustersScanned: clusters, findings: clusters + 2, bySeverity: severities(clusters + 2) } };
      case COMPARE_SCANS_ACTIVITY:
        return { ok: true, value: { new: 3, reopened: 0, stillOpen: clusters - 1, resolved: 1 } };
      case DIGEST_ACTIVITY:
        return { ok: true, value: { status: "skipped", reason: "test" } };
      case CLEANUP_ACTIVITY:
        return { ok: true, value: { rows: 3 } };
      default:
        throw new Error(`unexpected activity ${name}`);
    }
  };
  return { calls, run };
}

let functions: RegisteredFunctions;

beforeAll(async () => {
  functions = await captureFunctions(() => import("../../../functions/durable/fleet-scan.js"));
});

async function scan(clusters: number, fails?: (index: number, attempt: number) => string | undefined) {
  const fleet = fleetOf(clusters, fails);
  const host = new DurableTestHost(functions, fleet.run);
  const root = await host.run(FLEET_SCAN_ORCHESTRATOR, INPUT, SCAN_ID);
  return { host, root, calls: fleet.calls, result: root.output as FleetScanResult };
}

describe("the fleet scan orchestration", () => {
  it("registers the fleet scan and the cluster range orchestrations", () => {
    expect([...functions.keys()].sort()).toEqual([FLEET_SCAN_ORCHESTRATOR, CLUSTER_RANGE_ORCHESTRATOR].sort());
  });

  it("runs inventory, every cluster, fleet checks, save, compare, digest and cleanup, in that order", async () => {
    const { root, calls, result } = await scan(3);
    expect(root.error).toBeUndefined();
    const steps = calls.map((c) => c.name).filter((n, i, all) => all.indexOf(n) === i);
    expect(steps).toEqual([INVENTORY_ACTIVITY, SCAN_CLUSTER_ACTIVITY, FLEET_CHECKS_ACTIVITY, COMPLETE_SCAN_ACTIVITY, COMPARE_SCANS_ACTIVITY, DIGEST_ACTIVITY, CLEANUP_ACTIVITY]);
    expect(result).toMatchObject({ scanId: SCAN_ID, outcome: "completed", clusters: 3, startedAt: "2026-11-30T06:00:00.000Z" });
    expect(result.tally).toMatchObject({ clusters: 3, findings: 3, gaveUp: 0, unsaved: 0 });
    expect(result.digest).toEqual({ status: "skipped", reason: "test" });
    const digest = calls.find((c) => c.name === DIGEST_ACTIVITY)!.input as { sendDigest: boolean; scan: { id: string } };
    expect(digest).toMatchObject({ sendDigest: true, scan: { id: SCAN_ID } });
  });

  it("fans 120 clusters out to leaves of at most 50, each cluster scanned once", async () => {
    const { root, calls, result } = await scan(120);
    const scanned = calls.filter((c) => c.name === SCAN_CLUSTER_ACTIVITY).map((c) => (c.input as ScanClusterInput).index);
    expect(scanned.sort((a, b) => a - b)).toEqual(Array.from({ length: 120 }, (_, i) => i));

    const ranges = allRecords(root).filter((r) => r.name === CLUSTER_RANGE_ORCHESTRATOR);
    const leaves = ranges.filter((r) => r.actions.every((a) => a.functionName === SCAN_CLUSTER_ACTIVITY));
    expect(leaves.map((l) => l.actions.length).sort()).toEqual([20, 50, 50]);
    expect(ranges).toHaveLength(1 + leaves.length);
    expect(result.tally).toMatchObject({ clusters: 120, findings: 120, byStatus: { ok: 120 } });
  });

  it("retries a cluster whose scan fails, and counts it when a later attempt succeeds", async () => {
    const { root, calls, result } = await scan(5, (index, attempt) => (index === 2 && attempt === 1 ? "Table Storage answered 503" : undefined));
    const attempts = calls.filter((c) => c.name === SCAN_CLUSTER_ACTIVITY && (c.input as ScanClusterInput).index === 2).map((c) => c.attempt);
    expect(attempts).toEqual([1, 2]);
    expect(calls.some((c) => c.name === RECORD_CLUSTER_FAILURE_ACTIVITY)).toBe(false);
    expect(result.tally).toMatchObject({ clusters: 5, gaveUp: 0, byStatus: { ok: 5 } });
    // The retry waited on a timer between the attempts, as the host does.
    const leaf = allRecords(root).find((r) => r.name === CLUSTER_RANGE_ORCHESTRATOR)!;
    expect(leaf.history.filter((e) => e.EventType === EVENT.TimerFired)).toHaveLength(1);
  });

  it("turns a cluster that fails every attempt into a recorded scan failure, not a failed scan", async () => {
    const { root, calls, result } = await scan(5, (index) => (index === 3 ? "kubeconfig request timed out" : undefined));
    expect(root.error).toBeUndefined();
    const attempts = calls.filter((c) => c.name === SCAN_CLUSTER_ACTIVITY && (c.input as ScanClusterInput).index === 3);
    expect(attempts.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const recorded = calls.filter((c) => c.name === RECORD_CLUSTER_FAILURE_ACTIVITY).map((c) => c.input as RecordClusterFailureInput);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ index: 3, scan: { id: SCAN_ID } });
    expect(recorded[0]!.reason).toContain("kubeconfig request timed out");
    expect(result.outcome).toBe("completed");
    expect(result.tally).toMatchObject({ clusters: 5, gaveUp: 1, unsaved: 0, byStatus: { ok: 4, error: 1 } });
    // The other clusters' results arrived after the failure and still count.
    expect(result.tally!.findings).toBe(5);
  });

  it("counts a cluster whose failure cannot even be recorded as unsaved, and still completes", async () => {
    const fleet = fleetOf(4, (index) => (index === 0 ? "boom" : undefined));
    const run = async (name: string, input: unknown, attempt: number): Promise<ActivityOutcome> =>
      name === RECORD_CLUSTER_FAILURE_ACTIVITY ? { ok: false, error: "store unreachable" } : fleet.run(name, input, attempt);
    const root = await new DurableTestHost(functions, run).run(FLEET_SCAN_ORCHESTRATOR, INPUT, SCAN_ID);
    expect(root.error).toBeUndefined();
    expect((root.output as FleetScanResult).tally).toMatchObject({ clusters: 4, gaveUp: 1, unsaved: 1 });
    const complete = fleet.calls.find((c) => c.name === COMPLETE_SCAN_ACTIVITY)!.input as { tally: ClusterTally };
    expect(complete.tally.unsaved).toBe(1);
  });

  it("reaches the same result, scheduling nothing new, when any finished history is replayed", async () => {
    const { host, root } = await scan(130, (index, attempt) => (index % 40 === 0 && attempt < 3 ? "throttled" : index === 77 ? "gone" : undefined));
    for (const record of allRecords(root)) {
      const replayed = await host.replay(record);
      expect(replayed.isDone).toBe(true);
      expect(replayed.output).toEqual(record.output);
      expect(replayed.actions).toEqual(record.actions);
    }
  });

  it("writes the same history when the same scan runs twice", async () => {
    const first = await scan(60, (index, attempt) => (index === 5 && attempt === 1 ? "throttled" : undefined));
    const second = await scan(60, (index, attempt) => (index === 5 && attempt === 1 ? "throttled" : undefined));
    const shape = (root: typeof first.root) => allRecords(root).map((r) => ({ id: r.instanceId, history: r.history.map((e) => [e.EventType, e.EventId, e.Name ?? null]) }));
    expect(shape(second.root).sort((a, b) => a.id.localeCompare(b.id))).toEqual(shape(first.root).sort((a, b) => a.id.localeCompare(b.id)));
  });

  it("keeps every orchestration's history within the same bound for 1,000 and 10,000 clusters", async () => {
    const widest = async (clusters: number) => {
      const { root, result } = await scan(clusters);
      expect(result.tally!.clusters).toBe(clusters);
      const records = allRecords(root);
      return { actions: Math.max(...records.map((r) => r.actions.length)), events: Math.max(...records.map((r) => r.history.length)), orchestrations: records.length };
    };
    const thousand = await widest(1_000);
    const tenThousand = await widest(10_000);
    // A leaf schedules at most its clusters plus a failure record for each; a branch at most RANGES_PER_BRANCH ranges.
    const bound = Math.max(2 * CLUSTERS_PER_LEAF, RANGES_PER_BRANCH);
    expect(thousand.actions).toBeLessThanOrEqual(bound);
    expect(tenThousand.actions).toBeLessThanOrEqual(bound);
    expect(tenThousand.events).toBe(thousand.events);
    expect(tenThousand.orchestrations).toBeGreaterThan(thousand.orchestrations);
  });

  it("ends early, having scanned nothing, when the inventory finds nothing to scan", async () => {
    const { calls, result } = await scan(0);
    expect(result).toMatchObject({ outcome: "nothing-to-scan", clusters: 0, message: "No AKS cluster found" });
    expect(calls.map((c) => c.name)).toEqual([INVENTORY_ACTIVITY, CLEANUP_ACTIVITY]);
  });
});
