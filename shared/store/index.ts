export * from "./model.js";
export { FindingsStore, ScanClockError, MAX_CLOCK_SKEW_MS, type FindingsStoreOptions, type FindingsTables } from "./store.js";
export { createFindingsStore, tableClientFactory, checkTablePrefix, tableNames, DEFAULT_TABLE_PREFIX, type StoreConnectionOptions } from "./factory.js";
export { InvalidParameterError, StoreNotConfiguredError } from "./errors.js";
export {
  parseFindingQuery,
  parsePageRequest,
  parseFormat,
  rejectUnknownParameters,
  FINDING_QUERY_PARAMETERS,
  PAGE_PARAMETERS,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type OutputFormat,
  type ParameterSource,
} from "./params.js";
export { findingsCsv, csvHeader, csvRows, CSV_COLUMNS } from "./csv.js";
export { effectiveStatus } from "./lifecycle.js";
export { countFindings, openCount, type FindingCounts, type FleetCounts } from "./counts.js";
export { knownSubscriptionNames } from "./known-subscription-names.js";
