/** The checks: pure, synchronous judgements over the fleet view and one cluster snapshot. */
export { CHECKS } from "./registry.js";
export { defineCheck, type Check, type CheckMetadata, type FindingDraft, type Report } from "./define.js";
export { buildFleetView, extendFleetView, type FleetView, type WorkloadPrincipal } from "./fleet-view.js";
export { summarizeClusterUsage, combineUsage, type ClusterUsage, type WorkloadUsage } from "./usage.js";
export { claimedCredentials, credentialKey } from "./claims.js";
export {
  runClusterChecks,
  runFleetChecks,
  selectChecks,
  UnknownCheckError,
  type CheckFailure,
  type CheckRunResult,
  type CheckSelection,
} from "./runner.js";
export { shellQuote } from "./shell-quote.js";
