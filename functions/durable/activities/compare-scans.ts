/**
 * Step 5: this scan against the state before it. The store dates every change
 * of a finding's status with the scan that made it, so the findings whose
 * status changed since this scan started, read once, say what is new,
 * reopened and resolved; the rest of what it saw was open already.
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
  let created = 0;
  let reopened = 0;
  let resolved = 0;
  for await (const finding of runtime.store.allFindings({ status: "all", since: new Date(input.scan.startedAt) })) {
    if (finding.resolvedScanId === input.scan.id && finding.status === "resolved") resolved += 1;
    else if (finding.openedScanId === input.scan.id) {
      if (finding.firstSeenScanId === input.scan.id) created += 1;
      else reopened += 1;
    }
  }
  const comparison: ScanComparison = { new: created, reopened, stillOpen: Math.max(0, input.counts.findings - created - reopened), resolved };
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
