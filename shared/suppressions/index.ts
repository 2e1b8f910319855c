/** Suppressions: the model, the one matcher, the governance rules and the API schema (docs/store.md, "Suppressions"). */
export * from "./model.js";
export { globMatches, namesSomething } from "./glob.js";
export { matchSuppression, patternMatches, isActive, suppressionState } from "./match.js";
export { applySuppressions, appliedSuppression, type FilteredFinding } from "./apply.js";
export { checkSuppressionRules, SUPPRESSION_LIMITS, NARROWING_FIELDS, type GovernedFields } from "./rules.js";
export { parseSuppressionRequest, parseLiftRequest, newSuppressionBody, liftSuppressionBody, type SuppressionAuthor } from "./schema.js";
export { expiringWithin, EXPIRY_NOTICE_DAYS } from "./expiring.js";
