/**
 * Daily retention: per-scan rows older than RETENTION_DAYS go; the current
 * state of every finding (first seen, last seen, status) stays.
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { loadConfig } from "../../shared/config/index.js";
import type { CleanupResult } from "../../shared/store/index.js";
import { findingsStore } from "../http/store-instance.js";
import { scanLog } from "../runtime/telemetry.js";

export const RETENTION_SCHEDULE = "0 30 3 * * *";

export async function retentionCleanup(_timer: Timer, context: InvocationContext): Promise<CleanupResult> {
  const { retentionDays } = loadConfig(process.env).store;
  const result = await (await findingsStore()).deleteScansOlderThan(retentionDays);
  scanLog(context, { job: "retention" }).info("retention.done", { retentionDays, scans: result.scans, rows: result.rows });
  return result;
}

app.timer("retention-cleanup", { schedule: RETENTION_SCHEDULE, runOnStartup: false, handler: retentionCleanup });
