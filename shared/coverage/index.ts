/** What a scan evaluated completely, and why not the rest (docs/store.md, "Coverage"). */
export * from "./model.js";
export { clusterCoverage, inventoryGapReason } from "./cluster-coverage.js";
export { fleetCoverage } from "./fleet-coverage.js";
export { summarizeCoverage, MAX_GAP_LINES, type CoverageGapLine, type ScanCoverageSummary } from "./summary.js";
