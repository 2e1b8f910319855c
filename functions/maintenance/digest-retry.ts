/**
 * Hourly: digests that were rendered and stored but never reached the mail
 * service (it was down, or refused) are sent again, so no digest is lost to an
 * outage longer than the digest step's own retries. A digest already sent to
 * an audience is never sent to it twice.
 */
import { app, type InvocationContext, type Timer } from "@azure/functions";
import { resendUndelivered } from "../../shared/digest/index.js";
import { digestRuntime } from "../runtime/digest-runtime.js";
import { errorText, scanLog } from "../runtime/telemetry.js";

export const DIGEST_RETRY_SCHEDULE = "0 15 * * * *";

export async function retryUndeliveredDigests(_timer: Timer, context: InvocationContext): Promise<number> {
  const log = scanLog(context, { job: "digest-retry" });
  const runtime = await digestRuntime();
  if (runtime.transport === undefined) return 0;
  const reports = await resendUndelivered(runtime, { digest: runtime.config.digest, ...(runtime.retry !== undefined && { retry: runtime.retry }) });
  for (const report of reports) {
    log.info("digest.resent", { scanId: report.scanId, digests: report.digests.length });
  }
  return reports.length;
}

async function handler(timer: Timer, context: InvocationContext): Promise<void> {
  try {
    await retryUndeliveredDigests(timer, context);
  } catch (error) {
    // The next hour tries again; the stored digests are not lost.
    scanLog(context, { job: "digest-retry" }).error("digest.retry-failed", { error: errorText(error) });
  }
}

app.timer("digest-retry", { schedule: DIGEST_RETRY_SCHEDULE, runOnStartup: false, handler });
