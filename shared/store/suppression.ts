/**
 * The store's name for the shared matcher (shared/suppressions/match.ts): the
 * store and the CLI's filter stage must hide exactly the same findings, so
 * there is one implementation and this module only re-exports it.
 */
export { matchSuppression as applicableSuppression, globMatches, patternMatches, isActive } from "../suppressions/index.js";
