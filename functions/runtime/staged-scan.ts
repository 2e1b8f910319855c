/**
 * A scan's staged inventory as the activities use it: read from the staging
 * table once per worker process and kept while the scan runs, so 5,000
 * scan-cluster activities on a dozen workers cost a dozen reads, not 5,000.
 * The fleet view is indexed once per read for the same reason.
 */
import { buildFleetView, type FleetView } from "../../shared/checks/index.js";
import type { AksCluster, Inventory } from "../../shared/inventory/model.js";
import type { ScanStaging } from "./scan-staging.js";

export interface StagedScan {
  inventory: Inventory;
  view: FleetView;
  clusterCount: number;
  /** The cluster at a position of the scan's cluster list. */
  cluster(index: number): AksCluster;
}

/** Scans kept at once: a worker rarely serves more than the weekly scan and one on-demand scan. */
const KEPT = 2;
const cache = new Map<string, Promise<StagedScan>>();

export function stagedScan(staging: ScanStaging, scanId: string): Promise<StagedScan> {
  const cached = cache.get(scanId);
  if (cached) return cached;
  const loading = load(staging, scanId);
  cache.set(scanId, loading);
  loading.catch(() => cache.delete(scanId));
  while (cache.size > KEPT) cache.delete(cache.keys().next().value!);
  return loading;
}

export function forgetStagedScan(scanId: string): void {
  cache.delete(scanId);
}

async function load(staging: ScanStaging, scanId: string): Promise<StagedScan> {
  const staged = await staging.getInventory(scanId);
  if (staged === undefined) throw new Error(`no staged inventory for scan ${scanId}: the inventory step has not run, or the scan was cleaned up`);
  const byId = new Map(staged.inventory.clusters.map((c) => [c.id.toLowerCase(), c]));
  const clusters = staged.clusterIds.map((id) => {
    const cluster = byId.get(id.toLowerCase());
    if (cluster === undefined) throw new Error(`staged inventory of scan ${scanId} lists cluster ${id} but does not hold it`);
    return cluster;
  });
  return {
    inventory: staged.inventory,
    view: buildFleetView(staged.inventory),
    clusterCount: clusters.length,
    cluster(index) {
      const cluster = clusters[index];
      if (cluster === undefined) throw new RangeError(`scan ${scanId} has ${clusters.length} clusters; there is no cluster ${index}`);
      return cluster;
    },
  };
}
