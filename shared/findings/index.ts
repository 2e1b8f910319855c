export * from "./model.js";
export { findingId, findingKey } from "./finding-id.js";
