/**
 * One cluster, start to finish: snapshot, app registrations its service accounts
 * name, checks, usage summary. The snapshot lives and dies here, so memory stays
 * bounded however large the fleet; the Durable scan-cluster activity calls this too.
 */
import { snapshotWithoutAccess, type ClusterSnapshot } from "../cluster/index.js";
import type { AksCluster, AppRegistration, InventoryError } from "../inventory/model.js";
import type { Finding } from "../findings/model.js";
import type { ClusterHealth } from "../scan/model.js";
import {
  extendFleetView,
  claimedCredentials,
  runClusterChecks,
  summarizeClusterUsage,
  type CheckSelection,
  type ClusterUsage,
  type FleetView,
} from "../checks/index.js";
import { namedClientIds } from "../checks/workload-identity.js";
import type { ScanDependencies } from "./dependencies.js";
import { clusterHealth } from "./cluster-health.js";

export { namedClientIds };

export interface ClusterScanResult {
  findings: Finding[];
  health: ClusterHealth;
  usage: ClusterUsage;
  /** App registrations this cluster's service accounts name, for the fleet checks at the end. */
  applications: AppRegistration[];
  applicationErrors: InventoryError[];
  /** Checks that threw: a bug to report, never a reason to lose the cluster's other findings. */
  checkFailures: Array<{ checkId: string; message: string }>;
}

export async function scanCluster(
  deps: ScanDependencies,
  view: FleetView,
  cluster: AksCluster,
  selection: CheckSelection = {},
): Promise<ClusterScanResult> {
  const snapshot = await snapshotOrFailure(deps, cluster);
  const unknown = namedClientIds(snapshot).filter((id) => !view.principalByClientId.has(id));
  const resolved = unknown.length > 0 ? await deps.applications(unknown) : { applications: [], errors: [] };
  const clusterView = withApplications(view, resolved.applications, resolved.errors);
  const { findings, failures, coverage } = runClusterChecks(clusterView, snapshot, selection);
  return {
    findings,
    health: { ...clusterHealth(snapshot, findings.length), coverage },
    // What the fleet checks need of this cluster once its snapshot is gone, including the credentials its findings already explain.
    usage: summarizeClusterUsage(snapshot, claimedCredentials(findings)),
    applications: resolved.applications,
    applicationErrors: resolved.errors,
    checkFailures: failures,
  };
}

/** The fleet view plus app registrations found for one cluster (see extendFleetView). */
export function withApplications(view: FleetView, applications: readonly AppRegistration[], errors: readonly InventoryError[]): FleetView {
  return extendFleetView(view, applications, errors);
}

async function snapshotOrFailure(deps: ScanDependencies, cluster: AksCluster): Promise<ClusterSnapshot> {
  try {
    return await deps.snapshot(cluster);
  } catch (error) {
    // The collector reports failures inside the snapshot; reaching here is a bug,
    // and a bug in one cluster's collection must not sink the fleet's scan.
    return failedSnapshot(cluster, error);
  }
}

export function failedSnapshot(cluster: AksCluster, error: unknown): ClusterSnapshot {
  const message = error instanceof Error ? error.message : String(error);
  return snapshotWithoutAccess(cluster, [{ kind: "error", resource: "cluster", verb: "scan", message }]);
}
