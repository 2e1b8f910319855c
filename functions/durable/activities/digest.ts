/**
 * Step 6: the digest. Rendering and delivery belong to the digest issue
 * (issue 6), which replaces the body of deliverDigest; the orchestration
 * already calls this step with what the digest needs to find its findings
 * (the scan) and its headline (the comparison), so nothing else changes then.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { scanLog, type ScanLog } from "../../runtime/telemetry.js";
import type { DigestInput, DigestReport } from "../model.js";
import { DIGEST_ACTIVITY } from "../names.js";

export async function deliverDigest(input: DigestInput, log: ScanLog): Promise<DigestReport> {
  const report: DigestReport = input.sendDigest
    ? { status: "skipped", reason: "digest delivery is not available in this version" }
    : { status: "skipped", reason: "not requested for this scan" };
  log.info("digest.skipped", { reason: report.reason, new: input.comparison.new, resolved: input.comparison.resolved, findings: input.counts.findings });
  return report;
}

df.app.activity(DIGEST_ACTIVITY, {
  handler: async (input: DigestInput, context: InvocationContext) => deliverDigest(input, scanLog(context, { scanId: input.scan.id, step: "digest" })),
});
