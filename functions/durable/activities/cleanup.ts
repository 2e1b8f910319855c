/**
 * Step 7: drops what the scan staged. Its findings and scan row stay in the
 * store; the staged inventory is only scaffolding for the running scan.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { ScanRef } from "../../../shared/store/model.js";
import { scanRuntime, type ScanRuntime } from "../../runtime/scan-runtime.js";
import { forgetStagedScan } from "../../runtime/staged-scan.js";
import { errorText, scanLog, type ScanLog } from "../../runtime/telemetry.js";
import { CLEANUP_ACTIVITY } from "../names.js";

export async function cleanupScan(scan: ScanRef, runtime: ScanRuntime, log: ScanLog): Promise<{ rows: number }> {
  forgetStagedScan(scan);
  const rows = await runtime.staging.deleteScan(scan.id);
  log.info("staging.deleted", { rows });
  return { rows };
}

df.app.activity(CLEANUP_ACTIVITY, {
  handler: async (scan: ScanRef, context: InvocationContext) => {
    const log = scanLog(context, { scanId: scan.id, step: "cleanup" });
    try {
      return await cleanupScan(scan, await scanRuntime(), log);
    } catch (error) {
      log.error("staging.delete-failed", { error: errorText(error) });
      throw error;
    }
  },
});
