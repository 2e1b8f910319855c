/**
 * What the engine needs from the outside world, as three functions. Production
 * wires them to Azure (shared/engine/azure-dependencies.ts), the demo and tests to
 * the fleet simulator through the same real SDK clients; the engine itself does no I/O.
 */
import type { ClusterSnapshot } from "../cluster/model.js";
import type { AksCluster, AppRegistration, Inventory, InventoryError, RequestCounts } from "../inventory/model.js";
import type { ScanScope } from "../scan/model.js";

export interface ScanDependencies {
  /** Clusters, identities with their federated credentials, role assignments. */
  inventory(scope: ScanScope): Promise<Inventory>;
  /** App registrations (with credentials) for client ids that no managed identity owns. Cached by the implementation. */
  applications(clientIds: readonly string[]): Promise<{ applications: AppRegistration[]; errors: InventoryError[] }>;
  /** One cluster's snapshot; failures are inside it as collection errors, never thrown. */
  snapshot(cluster: AksCluster): Promise<ClusterSnapshot>;
  /** Azure requests made so far (Kubernetes requests are counted per snapshot); absent: the inventory's own count. */
  requestCounts?(): RequestCounts;
}
