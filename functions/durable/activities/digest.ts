/**
 * Step 6: the digest. Renders every audience's digest (the fleet, each routed
 * team), stores it in the digest archive, then sends it with retries and
 * backoff (shared/digest deliverDigest). A digest already sent for this scan
 * and audience is not sent again, so a retried activity never mails twice.
 *
 * A mail server that stays down does not fail the scan: the digest waits in
 * the archive with status "failed" for `wiscan digest --resend` or
 * POST /api/digests/{scanId}/resend. Storage trouble does fail the activity,
 * so the orchestration's step retry runs it again. Only counts go back to
 * the orchestration history.
 */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { ConfigError } from "../../../shared/config/index.js";
import { DigestError, deliverDigest, digestSettingsFromConfig, type DeliveryOutcome, type DigestDeliveryReport } from "../../../shared/digest/index.js";
import type { Subscription } from "../../../shared/inventory/model.js";
import { MailError } from "../../../shared/mail/index.js";
import { digestRuntime, type DigestRuntime } from "../../runtime/digest-runtime.js";
import { scanRuntime } from "../../runtime/scan-runtime.js";
import { stagedScan } from "../../runtime/staged-scan.js";
import { errorText, scanLog, type ScanLog } from "../../runtime/telemetry.js";
import type { DigestInput, DigestReport } from "../model.js";
import { DIGEST_ACTIVITY } from "../names.js";

/** The scan's subscriptions with names and tags, for readable digests and routing by tag. */
export type SubscriptionSource = () => Promise<readonly Subscription[]>;

export async function deliverScanDigest(
  input: DigestInput,
  runtime: () => Promise<DigestRuntime>,
  subscriptions: SubscriptionSource,
  log: ScanLog,
): Promise<DigestReport> {
  if (!input.sendDigest) {
    log.info("digest.skipped", { reason: "not requested for this scan" });
    return { status: "skipped", reason: "not requested for this scan" };
  }
  let known: readonly Subscription[] = [];
  try {
    known = await subscriptions();
  } catch (error) {
    // Names and tags make the digest readable and route by tag; without them it still goes to DIGEST_RECIPIENTS and DIGEST_ROUTES.
    log.warn("digest.no-subscription-names", { error: errorText(error) });
  }
  let delivery: DigestDeliveryReport;
  let noTransport: boolean;
  try {
    const { config, store, archive, transport, retry } = await runtime();
    noTransport = transport === undefined;
    delivery = await deliverDigest(
      { store, archive, ...(transport !== undefined && { transport }) },
      input.scan.id,
      digestSettingsFromConfig(config, known, { ...(retry !== undefined && { retry }) }),
    );
  } catch (error) {
    // A setting problem fails every retry the same way; the scan itself is saved, so it does not fail over its digest.
    if (isPermanent(error)) {
      log.error("digest.not-configured", { error: errorText(error) });
      return { status: "failed", reason: errorText(error) };
    }
    throw error;
  }
  // Also logged: with team digests only (no DIGEST_RECIPIENTS) there is no fleet digest to list them in.
  const refused = delivery.refusedRoutes ?? [];
  if (refused.length > 0) log.warn("digest.routes-refused", { refused: refused.length, subscriptions: [...new Set(refused.map((r) => r.subscriptionId))].slice(0, 20).join(",") });
  const report = summarize(delivery, noTransport);
  const fields = { status: report.status, ...report.digests, new: input.comparison.new, resolved: input.comparison.resolved, findings: input.counts.findings };
  if (report.status === "failed") log.warn("digest.failed", { ...fields, reason: report.reason });
  else log.info("digest.delivered", fields);
  return report;
}

function summarize(delivery: DigestDeliveryReport, noTransport: boolean): DigestReport {
  const digests: Record<DeliveryOutcome, number> = { stored: 0, sent: 0, failed: 0, "not-sent": 0, "already-sent": 0 };
  for (const d of delivery.digests) digests[d.outcome] += 1;
  const subject = delivery.digests[0]?.subject;
  const base = { digests, ...(subject !== undefined && { subject }) };
  const failed = delivery.digests.find((d) => d.outcome === "failed" || d.outcome === "stored");
  if (failed) {
    return {
      status: "failed",
      reason: `the digest for ${failed.audienceId} was not sent (${(failed.error ?? "no attempt finished").slice(0, 300)}); it is stored: resend it with wiscan digest --resend ${delivery.scanId}`,
      ...base,
    };
  }
  if (digests.sent + digests["already-sent"] === delivery.digests.length) return { status: "sent", ...base };
  const notSent = delivery.digests.find((d) => d.outcome === "not-sent");
  const reason = noTransport ? "MAIL_TRANSPORT is none: the digest was rendered and stored, not sent" : (notSent?.error ?? "not sent");
  return { status: "stored", reason, ...base };
}

function isPermanent(error: unknown): boolean {
  if (error instanceof ConfigError) return true;
  if (error instanceof MailError) return error.code === "not-configured";
  if (!(error instanceof DigestError)) return false;
  switch (error.code) {
    case "not-configured":
    case "invalid-routes":
    case "no-transport":
      return true;
    case "scan-not-found":
    case "invalid-scan-id":
    case "digest-not-found":
      return false;
    default: {
      const never: never = error.code;
      return never;
    }
  }
}

/** The subscriptions of the scan's staged inventory (the cleanup step drops it after this one). */
async function stagedSubscriptions(input: DigestInput): Promise<readonly Subscription[]> {
  const runtime = await scanRuntime();
  return (await stagedScan(runtime.staging, input.scan)).inventory.subscriptions;
}

df.app.activity(DIGEST_ACTIVITY, {
  handler: async (input: DigestInput, context: InvocationContext) => {
    const log = scanLog(context, { scanId: input.scan.id, step: "digest" });
    try {
      return await deliverScanDigest(input, digestRuntime, () => stagedSubscriptions(input), log);
    } catch (error) {
      log.error("digest.step-failed", { error: errorText(error) });
      throw error;
    }
  },
});
