/**
 * Step 5: this scan against the state before it: what the store says it made
 * new, reopened and resolved; the rest of what it saw was open already.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { ScanRef } from "../../../shared/store/model.js";
import { scanRuntime, type ScanRuntime } from "../../runtime/scan-runtime.js";
import { errorText, scanLog, type ScanLog } from "../../runtime/telemetry.js";
import type { CompleteScanReport, ScanComparison } from "../model.js";
import { COMPARE_SCANS_ACTIVITY } from "../names.js";

export interface CompareInput {
  scan: ScanRef;
  counts: CompleteScanReport;
}

export async function compareWithPrevious(input: CompareInput, runtime: ScanRuntime, log: ScanLog): Promise<ScanComparison> {
  const changes = await runtime.store.scanChanges(input.scan);
  const comparison: ScanComparison = { ...changes, stillOpen: Math.max(0, input.counts.findings - changes.new - changes.reopened) };
  log.info("scan.compared", { ...comparison });
  return comparison;
}

df.app.activity(COMPARE_SCANS_ACTIVITY, {
  handler: async (input: CompareInput, context: InvocationContext) => {
    const log = scanLog(context, { scanId: input.scan.id, step: "compare" });
    try {
      return await compareWithPrevious(input, await scanRuntime(), log);
    } catch (error) {
      log.error("scan.compare-failed", { error: errorText(error) });
      throw error;
    }
  },
});
