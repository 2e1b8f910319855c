/**
 * A scan's staged inventory as the activities use it: read from the staging
 * table once per worker process and kept while the scan runs, so 5,000
 * scan-cluster activities on a dozen workers cost a dozen reads, not 5,000.
 * The fleet view is indexed once per read for the same reason.
 */
import { buildFleetView, type FleetView } from "../../shared/checks/index.js";
import type { AksCluster, Inventory } from "../../shared/inventory/model.js";
import type { ScanRef } from "../../shared/store/model.js";
import type { ScanStaging } from "./scan-staging.js";

export interface StagedScan {
  inventory: Inventory;
  /** Ids of the clusters this scan covers, lower-cased. */
  clusterIds: ReadonlySet<string>;
  view: FleetView;
  clusterCount: number;
  /** The cluster at a position of the scan's cluster list. */
  cluster(index: number): AksCluster;
}

/** Scans kept at once: a worker rarely serves more than the weekly scan and one on-demand scan. */
const KEPT = 2;
const cache = new Map<string, Promise<StagedScan>>();

export function stagedScan(staging: ScanStaging, scan: ScanRef): Promise<StagedScan> {
  const key = `${scan.id}|${scan.startedAt}`;
  const cached = cache.get(key);
  if (cached) return cached;
  const loading = load(staging, scan);
  cache.set(key, loading);
  loading.catch(() => cache.delete(key));
  while (cache.size > KEPT) cache.delete(cache.keys().next().value!);
  return loading;
}

export function forgetStagedScan(scan: ScanRef): void {
  cache.delete(`${scan.id}|${scan.startedAt}`);
}

async function load(staging: ScanStaging, scan: ScanRef): Promise<StagedScan> {
  const scanId = scan.id;
  const staged = await staging.getInventory(scanId);
  if (staged === undefined) throw new Error(`no staged inventory for scan ${scanId}: the inventory step has not run, or the scan was cleaned up`);
  if (staged.scanStartedAt !== scan.startedAt) {
    throw new Error(`the staged inventory of scan ${scanId} belongs to the run started at ${staged.scanStartedAt}, not to this one (${scan.startedAt})`);
  }
  const byId = new Map(staged.inventory.clusters.map((c) => [c.id.toLowerCase(), c]));
  const clusters = staged.clusterIds.map((id) => {
    const cluster = byId.get(id.toLowerCase());
    if (cluster === undefined) throw new Error(`staged inventory of scan ${scanId} lists cluster ${id} but does not hold it`);
    return cluster;
  });
  return {
    inventory: staged.inventory,
    clusterIds: new Set(staged.clusterIds.map((id) => id.toLowerCase())),
    view: buildFleetView(staged.inventory),
    clusterCount: clusters.length,
    cluster(index) {
      const cluster = clusters[index];
      if (cluster === undefined) throw new RangeError(`scan ${scanId} has ${clusters.length} clusters; there is no cluster ${index}`);
      return cluster;
    },
  };
}
