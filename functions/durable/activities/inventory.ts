/**
 * Step 1: the inventory of the scope, staged in the staging table (it can be
 * megabytes: 5,000 clusters with their identities and role assignments), and
 * only its cluster count returned to the orchestration.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { ScanError, selectClusters } from "../../../shared/engine/index.js";
import type { ScanScope } from "../../../shared/scan/model.js";
import type { ScanRef } from "../../../shared/store/model.js";
import { scanRuntime, type ScanRuntime } from "../../runtime/scan-runtime.js";
import { errorText, scanLog, type ScanLog } from "../../runtime/telemetry.js";
import type { InventoryReport } from "../model.js";
import { INVENTORY_ACTIVITY } from "../names.js";

export interface InventoryInput {
  scan: ScanRef;
  scope: ScanScope;
}

export async function stageInventory(input: InventoryInput, runtime: ScanRuntime, log: ScanLog): Promise<InventoryReport> {
  const inventory = await runtime.dependencies({ scanId: input.scan.id }).inventory(input.scope);
  const subscriptions = inventory.subscriptions.length;
  let clusterIds: string[];
  try {
    clusterIds = selectClusters(inventory.clusters, input.scope.clusters).map((c) => c.id);
  } catch (error) {
    if (!(error instanceof ScanError)) throw error;
    log.warn("inventory.nothing-to-scan", { reason: error.message, subscriptions });
    return { clusters: 0, subscriptions, nothingToScan: error.message };
  }
  // A clean partition: a failed earlier run of the same scan id (a restarted timer slot) may have staged other clusters.
  const stale = await runtime.staging.deleteScan(input.scan.id);
  const { bytes } = await runtime.staging.putInventory(input.scan.id, { scanStartedAt: input.scan.startedAt, inventory, clusterIds });
  log.info("inventory.staged", {
    clusters: clusterIds.length,
    clustersInScope: inventory.clusters.length,
    subscriptions,
    identities: inventory.identities.length,
    roleAssignments: inventory.roleAssignments.length,
    inventoryErrors: inventory.errors.length,
    complete: inventory.complete,
    stagedBytes: bytes,
    staleRowsDeleted: stale,
    resourceGraphRequests: inventory.requests.resourceGraph,
    armRequests: inventory.requests.arm,
    graphRequests: inventory.requests.graph,
  });
  return { clusters: clusterIds.length, subscriptions };
}

df.app.activity(INVENTORY_ACTIVITY, {
  handler: async (input: InventoryInput, context: InvocationContext) => {
    const log = scanLog(context, { scanId: input.scan.id, step: "inventory" });
    try {
      return await stageInventory(input, await scanRuntime(), log);
    } catch (error) {
      log.error("inventory.failed", { error: errorText(error) });
      throw error;
    }
  },
});
