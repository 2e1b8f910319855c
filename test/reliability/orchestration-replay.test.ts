/**
 * The Durable fleet scan when activities crash after doing their work (the
 * worker recycled before it could report back): the host retries them, and
 * the scan must end exactly as one where nothing crashed. Then every
 * orchestration of the run (the root and its sub-orchestrations) is replayed
 * over its finished history, as the host does on every wake-up, and must
 * decide the same: done, with the same output.
 *
 * No Functions host here: helper code in test/functions/durable drives the
 * package's own replay engine and calls the registered activity handlers;
 * behind them, the simulator (demo fleet) and Azurite.
 */
import azfn from "@azure/functions";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { FleetScanInput, FleetScanResult } from "../../functions/durable/model.js";
import { COMPLETE_SCAN_ACTIVITY, FLEET_CHECKS_ACTIVITY, FLEET_SCAN_ORCHESTRATOR, SCAN_CLUSTER_ACTIVITY } from "../../functions/durable/names.js";
import { scanDependenciesFactory } from "../../functions/runtime/scan-dependencies.js";
import { useScanRuntime } from "../../functions/runtime/scan-runtime.js";
import { createScanStaging } from "../../functions/runtime/scan-staging.js";
import { loadConfig } from "../../shared/config/index.js";
import { createFindingsStore, type FindingsStore, type StoredFinding } from "../../shared/store/index.js";
import type { Simulator } from "../../simulator/index.js";
import { allRecords, captureFunctions, DurableTestHost, type ActivityOutcome, type OrchestrationRecord, type RegisteredFunctions } from "../functions/durable/durable-test-host.js";
import { clientsFor, startFleetSimulator } from "../support/simulator.js";
import { uniquePrefix } from "../store/fixtures.js";
import { summaryLine } from "./summary.js";

const { InvocationContext } = azfn;
const DEMO_DIR = fileURLToPath(new URL("../fleets/demo", import.meta.url));
const SCAN_ID = "20261130T060000Z-timer";
/** Activities that crash once, after their work, on their first attempt. */
const CRASHING = new Set([`${SCAN_CLUSTER_ACTIVITY}#0`, `${SCAN_CLUSTER_ACTIVITY}#3`, `${FLEET_CHECKS_ACTIVITY}#-`, `${COMPLETE_SCAN_ACTIVITY}#-`]);

let sim: Simulator;
let functions: RegisteredFunctions;

interface Run {
  root: OrchestrationRecord;
  result: FleetScanResult;
  store: FindingsStore;
  crashes: number;
  host: DurableTestHost;
}

async function runScan(crash: boolean): Promise<Run> {
  const prefix = uniquePrefix(crash ? "replaycrash" : "replayclean");
  const storeSettings = { kind: "connection-string" as const, connectionString: inject("azuriteTables"), retentionDays: 90 };
  const store = await createFindingsStore(storeSettings, { tablePrefix: prefix });
  const staging = await createScanStaging(storeSettings, { tablePrefix: prefix });
  useScanRuntime({ dependencies: scanDependenciesFactory(clientsFor(sim), loadConfig({})), store, staging });
  let crashes = 0;
  const activity = async (name: string, input: unknown, attempt: number): Promise<ActivityOutcome> => {
    const registered = functions.get(name);
    if (!registered) throw new Error(`activity ${name} is not registered`);
    const context = new InvocationContext({ functionName: name, invocationId: `${name}-${attempt}`, logHandler: () => undefined });
    let value: unknown;
    try {
      value = await registered.handler(input, context);
    } catch (error) {
      return { ok: false, error: error instanceof Error ? error.message : String(error) };
    }
    const index = (input as { index?: number } | null)?.index;
    if (crash && attempt === 1 && CRASHING.has(`${name}#${index ?? "-"}`)) {
      crashes += 1;
      return { ok: false, error: "worker recycled after the activity's work, before it reported back" };
    }
    return { ok: true, value };
  };
  const host = new DurableTestHost(functions, activity, new Date("2026-11-30T06:00:00Z"));
  const input: FleetScanInput = { trigger: "timer", scope: { subscriptions: [], managementGroups: [], clusters: [] }, sendDigest: false };
  const root = await host.run(FLEET_SCAN_ORCHESTRATOR, input, SCAN_ID);
  expect(root.error).toBeUndefined();
  return { root, result: root.output as FleetScanResult, store, crashes, host };
}

/** What a result says, without what differs between any two runs (times). */
function comparable(result: FleetScanResult): unknown {
  return JSON.parse(JSON.stringify(result, (key, value: unknown) => (/At$|durationMs|startedAt/i.test(key) ? undefined : value)));
}

async function openFindings(store: FindingsStore): Promise<string[]> {
  const ids: string[] = [];
  for await (const f of store.allFindings({ status: "all" })) ids.push(`${f.id} ${f.status} ${f.severity} ${(f as StoredFinding).firstSeenScanId}`);
  return ids.sort();
}

let clean: Run;
let crashed: Run;

beforeAll(async () => {
  sim = await startFleetSimulator({ fleetDir: DEMO_DIR });
  functions = await captureFunctions(async () => {
    await import("../../functions/durable/fleet-scan.js");
    await import("../../functions/durable/activities/index.js");
  });
  clean = await runScan(false);
  crashed = await runScan(true);
}, 180_000);

afterAll(async () => {
  useScanRuntime(undefined);
  await sim?.close();
});

describe("a Durable fleet scan whose activities crash once after their work", () => {
  it("crashed where it was told to, and the host retried each crash", () => {
    expect(crashed.crashes).toBe(CRASHING.size);
    const scheduled = (run: Run) => allRecords(run.root).reduce((n, r) => n + r.history.filter((e) => e.EventType === 4).length, 0);
    expect(scheduled(crashed)).toBe(scheduled(clean) + CRASHING.size);
  });

  it("ends with the result of a scan where nothing crashed", () => {
    expect(crashed.result.outcome).toBe("completed");
    expect(comparable(crashed.result)).toEqual(comparable(clean.result));
  });

  it("stores exactly the findings, statuses and first sightings of the scan where nothing crashed", async () => {
    const expected = await openFindings(clean.store);
    expect(expected.length).toBeGreaterThan(20);
    expect(await openFindings(crashed.store)).toEqual(expected);
  });

  it("decides the same when each orchestration is replayed over its finished history", async () => {
    const records = allRecords(crashed.root);
    expect(records.length).toBeGreaterThan(1);
    for (const record of records) {
      const replayed = await crashed.host.replay(record);
      expect(replayed.isDone, record.instanceId).toBe(true);
      expect(replayed.output, record.instanceId).toEqual(record.output);
    }
    summaryLine(
      "faults: Durable activities crashing after their work, then replay",
      `${crashed.crashes} activity crashes (2 cluster scans, fleet checks, completion), then ${records.length} orchestrations replayed over their histories`,
      `0 of ${(await openFindings(clean.store)).length} stored findings; same result and same replay decisions as a crash-free scan`,
    );
  });
});
