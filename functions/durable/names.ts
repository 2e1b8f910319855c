/**
 * Function names of the Durable scan. Orchestrators call activities by these
 * names, and the host keys each instance's history by them: renaming one
 * breaks every scan in flight, so they are constants, never derived.
 */
export const FLEET_SCAN_ORCHESTRATOR = "fleet-scan";
export const CLUSTER_RANGE_ORCHESTRATOR = "fleet-scan-cluster-range";

export const INVENTORY_ACTIVITY = "fleet-scan-inventory";
export const SCAN_CLUSTER_ACTIVITY = "fleet-scan-cluster";
export const RECORD_CLUSTER_FAILURE_ACTIVITY = "fleet-scan-cluster-failure";
export const FLEET_CHECKS_ACTIVITY = "fleet-scan-fleet-checks";
export const COMPLETE_SCAN_ACTIVITY = "fleet-scan-complete";
export const COMPARE_SCANS_ACTIVITY = "fleet-scan-compare";
export const DIGEST_ACTIVITY = "fleet-scan-digest";
export const CLEANUP_ACTIVITY = "fleet-scan-cleanup";
