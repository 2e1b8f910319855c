export { scanFleet, selectClusters, isComplete, type ScanOptions, type ScanOutcome } from "./scan-fleet.js";
export { scanCluster, namedClientIds, withApplications, failedSnapshot, type ClusterScanResult } from "./scan-cluster.js";
export { clusterHealth } from "./cluster-health.js";
export { ScanError, type ScanErrorCode } from "./errors.js";
export { newScanId } from "./scan-id.js";
export type { ScanDependencies } from "./dependencies.js";
export { createAzureScanDependencies, type AzureScanSettings } from "./azure-dependencies.js";
