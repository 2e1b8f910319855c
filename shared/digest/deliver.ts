/**
 * The digest step: for each audience, render the digest, store it, then send
 * it with retries and backoff, recording every attempt. A digest that could
 * not be sent stays stored with status "failed" and is delivered later by
 * resendDigest (CLI `wiscan digest --resend SCAN_ID`, the HTTP route, or
 * resendUndelivered on a timer).
 */
import type { WiscanConfig } from "../config/index.js";
import { MailError, type MailMessage, type MailTransport } from "../mail/index.js";
import type { DeliveryRecord, DeliveryStatus, DigestArchive, StoredDigest } from "./archive.js";
import { renderDigest } from "./build.js";
import { DigestError } from "./errors.js";
import { forAudience, gatherDigestData, type DigestSource } from "./gather.js";
import type { Digest, DigestAudience, DigestOptions } from "./model.js";
import { FLEET_AUDIENCE_ID, planRouting, type DigestRoute, type RefusedRoute } from "./routing.js";
import { allowedTagDomains } from "./tag-domains.js";

export interface RetryPolicy {
  /** Sends tried per delivery, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled each time, with jitter. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 2_000, maxDelayMs: 60_000 };

export interface DigestDependencies {
  store: DigestSource;
  archive: DigestArchive;
  /** Absent when MAIL_TRANSPORT is none: digests are stored, not sent. */
  transport?: MailTransport;
  /** The wait between attempts; tests pass a short one through the retry policy instead. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export interface DigestSettings {
  digest: WiscanConfig["digest"];
  /** Parsed DIGEST_ROUTES (parseDigestRoutes). */
  routes?: readonly DigestRoute[];
  /** DIGEST_ROUTE_TAG, with the tags of each subscription. */
  routeTag?: string;
  subscriptionTags?: ReadonlyMap<string, Readonly<Record<string, string>>>;
  subscriptionNames?: ReadonlyMap<string, string>;
  retry?: RetryPolicy;
}

export type DeliveryOutcome = DeliveryStatus | "already-sent";

export interface AudienceDelivery {
  audienceId: string;
  recipients: string[];
  subject: string;
  sizeBytes: number;
  outcome: DeliveryOutcome;
  attempts: number;
  error?: string;
}

export interface DigestDeliveryReport {
  scanId: string;
  digests: AudienceDelivery[];
  /** Routing-tag entries that received nothing (outside DIGEST_ALLOWED_DOMAINS, or not addresses); the fleet digest lists them. */
  refusedRoutes?: RefusedRoute[];
}

/**
 * The fleet digest of a scan, rendered but neither stored nor sent (the demo,
 * previews, the benchmark).
 *
 * @example
 * const { subject, html, text, sizeBytes } = await buildDigest(store, scanId, loadConfig(process.env));
 */
export async function buildDigest(
  store: DigestSource,
  scanId: string,
  config: Pick<WiscanConfig, "digest">,
  options: { audience?: DigestAudience; subscriptionNames?: ReadonlyMap<string, string> } = {},
): Promise<Digest> {
  const data = await gatherDigestData(store, scanId);
  const audience = options.audience ?? { id: FLEET_AUDIENCE_ID, recipients: config.digest.recipients };
  return renderDigest(forAudience(data, audience, new Map()), audience, digestOptions(config.digest, options.subscriptionNames));
}

/**
 * Renders, stores and sends every digest of a scan. Idempotent per audience:
 * a digest already sent for this scan is not sent again, so a retried
 * activity never mails twice.
 */
export async function deliverDigest(deps: DigestDependencies, scanId: string, settings: DigestSettings): Promise<DigestDeliveryReport> {
  const data = await gatherDigestData(deps.store, scanId);
  const { audiences, refused } = planRouting(
    {
      defaultRecipients: settings.digest.recipients,
      ...(settings.routes !== undefined && { routes: settings.routes }),
      ...(settings.routeTag !== undefined && { routeTag: settings.routeTag }),
      ...(settings.subscriptionTags !== undefined && { subscriptionTags: settings.subscriptionTags }),
      allowedDomains: allowedTagDomains(settings.digest),
    },
    [...data.scan.subscriptions, ...data.clusters.map((c) => c.subscriptionId)],
  );
  // Nobody to send to still leaves the fleet digest in the archive, to read or resend later.
  const targets = audiences.length > 0 ? audiences : [{ id: FLEET_AUDIENCE_ID, recipients: [] }];
  const options = digestOptions(settings.digest, settings.subscriptionNames);
  const earlierIds = data.earlierScans.map((s) => s.id);

  const digests: AudienceDelivery[] = [];
  for (const audience of targets) {
    const existing = await deps.archive.getRecord(scanId, audience.id);
    if (existing?.status === "sent") {
      digests.push(report(existing, "already-sent"));
      continue;
    }
    const trend = await deps.archive.trend(audience.id, earlierIds);
    // Only the default recipients learn of refused tag addresses: a team's digest is no place to discuss others' tags.
    const audienceOptions = audience.id === FLEET_AUDIENCE_ID && refused.length > 0 ? { ...options, refusedRoutes: refused } : options;
    const digest = await renderDigest(forAudience(data, audience, trend), audience, audienceOptions);
    const record = await deps.archive.save(data.scan, audience, digest);
    digests.push(await send(deps, record, { record, html: digest.html, text: digest.text }, settings));
  }
  return { scanId, digests, ...(refused.length > 0 && { refusedRoutes: refused }) };
}

/**
 * Sends the stored digests of a scan again, as they were rendered. By default
 * only those not yet delivered; `all` sends every one again (someone lost the
 * mail); `audienceId` limits it to one audience.
 */
export async function resendDigest(
  deps: DigestDependencies,
  scanId: string,
  settings: Pick<DigestSettings, "digest" | "retry">,
  options: { all?: boolean; audienceId?: string } = {},
): Promise<DigestDeliveryReport> {
  const records = (await deps.archive.list(scanId)).filter((r) => options.audienceId === undefined || r.audienceId === options.audienceId);
  if (records.length === 0) throw new DigestError("digest-not-found", `no digest is stored for scan ${scanId.slice(0, 80)}${options.audienceId !== undefined ? ` and audience ${options.audienceId.slice(0, 80)}` : ""}`);
  const digests: AudienceDelivery[] = [];
  for (const record of records) {
    if (record.status === "sent" && !options.all) {
      digests.push(report(record, "already-sent"));
      continue;
    }
    const stored = await deps.archive.get(scanId, record.audienceId);
    if (!stored) throw new DigestError("digest-not-found", `the digest of scan ${scanId} for ${record.audienceId} vanished while resending`);
    digests.push(await send(deps, record, stored, settings));
  }
  return { scanId, digests };
}

/** Every stored digest not yet delivered, of any scan, oldest first: for a timer after an outage. */
export async function resendUndelivered(deps: DigestDependencies, settings: Pick<DigestSettings, "digest" | "retry">): Promise<DigestDeliveryReport[]> {
  const reports: DigestDeliveryReport[] = [];
  const scanIds = [...new Set((await deps.archive.undelivered()).map((r) => r.scanId))];
  for (const scanId of scanIds) reports.push(await resendDigest(deps, scanId, settings));
  return reports;
}

// ------------------------------------------------------------------ sending

async function send(deps: DigestDependencies, record: DeliveryRecord, stored: StoredDigest, settings: Pick<DigestSettings, "digest" | "retry">): Promise<AudienceDelivery> {
  if (!deps.transport) return report(await deps.archive.markNotSent(record), "not-sent");
  if (record.recipients.length === 0) return report(await deps.archive.markNotSent(record), "not-sent", "no recipients: set DIGEST_RECIPIENTS or DIGEST_ROUTES");
  const sender = settings.digest.sender;
  if (sender === undefined) throw new DigestError("not-configured", "DIGEST_SENDER is not set: the digest was stored but cannot be sent");

  const message: MailMessage = {
    from: sender,
    to: record.recipients,
    subject: record.subject,
    html: stored.html,
    text: stored.text,
    headers: { "X-Wiscan-Scan": record.scanId, "X-Wiscan-Audience": record.audienceId },
  };
  const policy = settings.retry ?? DEFAULT_RETRY;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = deps.now ?? (() => new Date());
  let current = record;
  let pending = message;
  for (let attempt = 1; ; attempt++) {
    try {
      const sent = await deps.transport.send(pending);
      current = await deps.archive.recordAttempt(current, { at: now().toISOString(), outcome: "sent", transport: sent.transport, messageId: sent.messageId });
      return report(current, "sent");
    } catch (error) {
      const mailError = error instanceof MailError ? error : new MailError("unavailable", error instanceof Error ? error.message : String(error), { cause: error });
      // Deferred by the sending limits before anything went out (shared/mail/pacing.ts): not an attempt. The
      // digest stays "stored", which resendUndelivered (the hourly digest-retry timer) picks up.
      if (mailError.deferred && (mailError.unsent === undefined || mailError.unsent.length === pending.to.length)) {
        return report(current, "stored", mailError.message);
      }
      current = await deps.archive.recordAttempt(current, { at: now().toISOString(), outcome: "failed", transport: deps.transport.kind, error: `${mailError.code}: ${mailError.message}` });
      if (!mailError.retryable || mailError.deferred || attempt >= policy.attempts) return report(current, "failed", mailError.message);
      // A digest sent as several emails (more recipients than one email carries): retry only those not reached yet.
      if (mailError.unsent !== undefined && mailError.unsent.length > 0) pending = { ...pending, to: [...mailError.unsent] };
      // The service's Retry-After, when it gave one, is the least to wait.
      await sleep(Math.max(backoff(policy, attempt), mailError.retryAfterMs ?? 0));
    }
  }
}

/** Exponential backoff with full jitter, so digests retried after an outage do not arrive at the relay together. */
export function backoff(policy: RetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function report(record: DeliveryRecord, outcome: DeliveryOutcome, error?: string): AudienceDelivery {
  return {
    audienceId: record.audienceId,
    recipients: record.recipients,
    subject: record.subject,
    sizeBytes: record.sizeBytes,
    outcome,
    attempts: record.attempts,
    ...(error !== undefined && { error }),
  };
}

function digestOptions(digest: WiscanConfig["digest"], subscriptionNames: ReadonlyMap<string, string> | undefined): DigestOptions {
  return {
    maxFindings: digest.maxFindings,
    ...(digest.findingsApiBaseUrl !== undefined && { findingsApiBaseUrl: digest.findingsApiBaseUrl }),
    ...(subscriptionNames !== undefined && { subscriptionNames }),
  };
}
