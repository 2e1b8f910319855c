/**
 * The fleet scan as Durable orchestrations. Replayed from history on every
 * step, so deterministic: the only clock is context.df.currentUtcDateTime,
 * there is no random, no I/O and no environment read here; every fact about
 * the fleet comes back from an activity as a count.
 *
 *   fleet-scan
 *     1. inventory activity (stages the inventory, returns the cluster count)
 *     2. cluster-range sub-orchestration over [0, clusters): a tree whose leaves
 *        fan out one scan-cluster activity per cluster (see cluster-ranges.ts)
 *     3. fleet checks activity (identities, app registrations), saved
 *     4. complete-scan activity (resolves what this scan no longer saw, writes the scan row)
 *     5. compare activity (new / reopened / still open / resolved)
 *     6. digest activity
 *     7. cleanup activity (drops the staged inventory)
 */
import * as df from "durable-functions";
import type { OrchestrationContext, RetryOptions as RetryOptionsType, Task } from "durable-functions";
import type { ScanRef } from "../../shared/store/model.js";
import { splitClusterRange } from "./cluster-ranges.js";
import {
  addTallies,
  emptyTally,
  tallyOf,
  type ClusterRangeInput,
  type ClusterScanReport,
  type ClusterTally,
  type CompleteScanInput,
  type CompleteScanReport,
  type DigestInput,
  type DigestReport,
  type FleetChecksReport,
  type FleetScanInput,
  type FleetScanResult,
  type InventoryReport,
  type RecordClusterFailureInput,
  type ScanClusterInput,
  type ScanComparison,
  type ScanProgress,
} from "./model.js";
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
} from "./names.js";
import { settleAll } from "./settle.js";

/**
 * Transient failures (throttling, a storage hiccup, a worker recycled mid-cluster)
 * are retried by the host: 3 attempts, 15 s then 30 s apart. A cluster that
 * fails all three becomes a scan.cluster-unreachable finding, not a failed scan.
 */
export const CLUSTER_RETRY = { firstRetryIntervalMs: 15_000, maxAttempts: 3, backoffCoefficient: 2, maxRetryIntervalMs: 120_000 } as const;
/** Steps that touch only Azure Resource Graph or the store get more patience: the scan cannot go on without them. */
export const STEP_RETRY = { firstRetryIntervalMs: 30_000, maxAttempts: 5, backoffCoefficient: 2, maxRetryIntervalMs: 300_000 } as const;

function retryOptions(policy: typeof CLUSTER_RETRY | typeof STEP_RETRY): RetryOptionsType {
  const options = new df.RetryOptions(policy.firstRetryIntervalMs, policy.maxAttempts);
  options.backoffCoefficient = policy.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = policy.maxRetryIntervalMs;
  return options;
}

export function* fleetScanOrchestrator(context: OrchestrationContext): Generator<Task, FleetScanResult, unknown> {
  const input = context.df.getInput<FleetScanInput>();
  const scan: ScanRef = { id: context.df.instanceId, startedAt: context.df.currentUtcDateTime.toISOString() };
  const step = retryOptions(STEP_RETRY);
  const progress = (value: ScanProgress) => context.df.setCustomStatus(value);

  progress({ phase: "inventory" });
  const inventory = (yield context.df.callActivityWithRetry(INVENTORY_ACTIVITY, step, { scan, scope: input.scope })) as InventoryReport;
  if (inventory.nothingToScan !== undefined) {
    yield context.df.callActivityWithRetry(CLEANUP_ACTIVITY, step, scan);
    progress({ phase: "done", clusters: 0 });
    return { scanId: scan.id, outcome: "nothing-to-scan", message: inventory.nothingToScan, startedAt: scan.startedAt, clusters: 0 };
  }

  progress({ phase: "clusters", clusters: inventory.clusters });
  const range: ClusterRangeInput = { scan, start: 0, end: inventory.clusters };
  const tally = (yield context.df.callSubOrchestrator(CLUSTER_RANGE_ORCHESTRATOR, range)) as ClusterTally;

  progress({ phase: "fleet-checks", clusters: inventory.clusters });
  const fleet = (yield context.df.callActivityWithRetry(FLEET_CHECKS_ACTIVITY, step, scan)) as FleetChecksReport;

  progress({ phase: "saving", clusters: inventory.clusters });
  const completion: CompleteScanInput = { scan, trigger: input.trigger, scope: input.scope, clusters: inventory.clusters, tally, fleet };
  const summary = (yield context.df.callActivityWithRetry(COMPLETE_SCAN_ACTIVITY, step, completion)) as CompleteScanReport;

  progress({ phase: "comparing", clusters: inventory.clusters });
  const comparison = (yield context.df.callActivityWithRetry(COMPARE_SCANS_ACTIVITY, step, { scan, counts: summary })) as ScanComparison;

  progress({ phase: "digest", clusters: inventory.clusters });
  const digestInput: DigestInput = { scan, sendDigest: input.sendDigest, comparison, counts: summary };
  const digest = (yield context.df.callActivityWithRetry(DIGEST_ACTIVITY, step, digestInput)) as DigestReport;

  progress({ phase: "cleanup", clusters: inventory.clusters });
  yield context.df.callActivityWithRetry(CLEANUP_ACTIVITY, step, scan);

  progress({ phase: "done", clusters: inventory.clusters });
  return { scanId: scan.id, outcome: "completed", startedAt: scan.startedAt, clusters: inventory.clusters, tally, fleet, summary, comparison, digest };
}

/**
 * One range of clusters: a leaf scans its clusters, a branch hands its
 * sub-ranges to sub-orchestrations. Either way it returns one tally.
 */
export function* clusterRangeOrchestrator(context: OrchestrationContext): Generator<Task, ClusterTally, unknown> {
  const range = context.df.getInput<ClusterRangeInput>();
  const children = splitClusterRange(range);
  if (children.length > 0) {
    const tasks = children.map((child) => context.df.callSubOrchestrator(CLUSTER_RANGE_ORCHESTRATOR, { scan: range.scan, ...child }));
    const settled = yield* settleAll<ClusterTally>(context, tasks);
    let tally = emptyTally();
    settled.forEach((result, i) => {
      // A range orchestration catches its clusters' failures itself; if one fails anyway,
      // its clusters count as unsaved so the scan is reported incomplete rather than lost.
      const child = children[i]!;
      tally = addTallies(tally, result.ok ? result.value : { ...emptyTally(), clusters: child.end - child.start, unsaved: child.end - child.start });
    });
    return tally;
  }
  return yield* scanLeaf(context, range);
}

function* scanLeaf(context: OrchestrationContext, range: ClusterRangeInput): Generator<Task, ClusterTally, unknown> {
  const indexes = Array.from({ length: range.end - range.start }, (_, i) => range.start + i);
  const retry = retryOptions(CLUSTER_RETRY);
  const scans = indexes.map((index) => context.df.callActivityWithRetry(SCAN_CLUSTER_ACTIVITY, retry, { scan: range.scan, index } satisfies ScanClusterInput));
  const scanned = yield* settleAll<ClusterScanReport>(context, scans);

  let tally = emptyTally();
  const gaveUp: RecordClusterFailureInput[] = [];
  scanned.forEach((result, i) => {
    if (result.ok) tally = addTallies(tally, tallyOf(result.value));
    else gaveUp.push({ scan: range.scan, index: indexes[i]!, reason: result.error });
  });
  if (gaveUp.length === 0) return tally;

  const step = retryOptions(STEP_RETRY);
  const records = gaveUp.map((failure) => context.df.callActivityWithRetry(RECORD_CLUSTER_FAILURE_ACTIVITY, step, failure));
  const recorded = yield* settleAll<ClusterScanReport>(context, records);
  for (const result of recorded) {
    tally = addTallies(tally, result.ok ? tallyOf(result.value, true) : { ...emptyTally(), clusters: 1, gaveUp: 1, unsaved: 1 });
  }
  return tally;
}

df.app.orchestration(FLEET_SCAN_ORCHESTRATOR, fleetScanOrchestrator);
df.app.orchestration(CLUSTER_RANGE_ORCHESTRATOR, clusterRangeOrchestrator);
