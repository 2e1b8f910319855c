/**
 * The Functions entry (package.json "main"): importing a module registers its
 * functions with the host. Nothing here reads settings or creates clients;
 * each function builds what it needs on its first invocation.
 */
// The findings, scans and suppressions query API.
import "./http/index.js";
// The web console: server-rendered pages on the same API and roles.
import "./console/index.js";
// Scans: the weekly timer and POST /api/scans.
import "./scans/timer.js";
import "./scans/start.js";
// The Durable fleet scan: orchestrations and activities.
import "./durable/fleet-scan.js";
import "./durable/activities/index.js";
// Maintenance: retention of per-scan rows, and digests the mail service never took.
import "./maintenance/retention.js";
import "./maintenance/digest-retry.js";
