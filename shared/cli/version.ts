/** The package version (shared/version.ts: the Functions app needs it too, and its package has no CLI). */
export { TOOL_VERSION } from "../version.js";
