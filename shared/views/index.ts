/** Views shared by the digest and the console: row builders taking Links, formatting, and the one renderer. */
export { apiLinks, consoleLinks, type Links } from "./links.js";
export { findingView, nameWithId, resolvedView, SEVERITY_COLORS, SEVERITY_LABELS, type SubscriptionNamer } from "./finding-view.js";
export { clusterStatus, complianceRow, complianceRowOf, scoreView, worstFirst } from "./compliance-view.js";
export { formatDay, formatDayTime, formatDuration, formatInstant, plural, safeUrl } from "./format.js";
export { createRenderer, registerHelpers, renderer, RENDER_KINDS, type RenderKind, type Renderer } from "./renderer.js";
