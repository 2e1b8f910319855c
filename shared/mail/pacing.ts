/**
 * Sending within an email service's limits. Azure Communication Services
 * Email accepts, per subscription, at most N emails a minute and M an hour,
 * and at most 50 recipients per email; past a rate limit it answers 429 with
 * Retry-After (learn.microsoft.com/azure/communication-services/concepts/service-limits#email,
 * source MicrosoftDocs/azure-docs articles/communication-services/concepts/service-limits.md:
 * an Azure-managed domain 5 a minute and 10 an hour, a custom verified domain
 * 30 and 100 until Azure raises them; 50 recipients either way).
 *
 * createPacedTransport wraps a transport so that:
 * - a message with more recipients than an email may carry goes out as
 *   several emails (batches), never more than the hourly limit of them;
 * - each email waits for room in both windows, counted as sliding windows (a
 *   sliding count never exceeds the limit in any fixed window either, and the
 *   service does not document which it uses);
 * - a 429 with Retry-After (MailError.retryAfterMs, see acs.ts) blocks the
 *   windows until then, and the email is tried again after that wait;
 * - no wait is longer than maxWaitMs: past it the transport sends nothing and
 *   throws a deferred MailError, so that the caller leaves the digest stored
 *   for the hourly digest-retry timer instead of holding a Functions
 *   invocation for most of an hour. Before a message's first email, room for
 *   all its emails is checked, so pacing alone never delivers half a message.
 *
 * The windows are per process: instances of the Function App do not share
 * them. The service's 429 + Retry-After covers what another instance sent.
 */
import { MailError } from "./errors.js";
import type { MailMessage, MailTransport, SentMail } from "./model.js";

export interface SendLimits {
  /** Emails accepted per sliding minute. */
  perMinute: number;
  /** Emails accepted per sliding hour. */
  perHour: number;
  /** Recipients (to, cc and bcc together) per email. */
  recipientsPerMessage: number;
}

/** The limits of an Azure-managed email domain (the domain the templates create); the settings' defaults. */
export const AZURE_MANAGED_DOMAIN_LIMITS: Readonly<SendLimits> = { perMinute: 5, perHour: 10, recipientsPerMessage: 50 };

export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const REAL_CLOCK: PacingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

/**
 * Two minutes: enough to wait out the per-minute window, well below the 230 s
 * an HTTP-triggered function may take to answer (the resend route shares the
 * transport; learn.microsoft.com/azure/azure-functions/functions-scale#timeout)
 * and the 30-minute functionTimeout of host.json.
 */
export const DEFAULT_MAX_WAIT_MS = 120_000;

export interface PacingOptions {
  limits: SendLimits;
  clock?: PacingClock;
  /** The longest single wait before an email; longer means deferred. */
  maxWaitMs?: number;
  /** 429s in a row for one email before giving up on it (each waited out). */
  maxThrottledRetries?: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** When emails were accepted, and until when the service asked to wait. */
export class SendWindows {
  private sent: number[] = [];
  private blockedUntil = 0;

  constructor(private readonly limits: SendLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1 (got ${value})`);
    }
  }

  /** The earliest time, at or after `at`, when one more email fits both windows (and any Retry-After). */
  earliest(at: number, sent: readonly number[] = this.sent): number {
    let t = Math.max(at, this.blockedUntil);
    for (;;) {
      const next = Math.max(t, this.freeAt(sent, t, MINUTE, this.limits.perMinute), this.freeAt(sent, t, HOUR, this.limits.perHour));
      if (next === t) return t;
      t = next;
    }
  }

  /** When `count` emails sent one after another, as early as the windows allow from `at`, would have all gone. */
  lastOf(count: number, at: number): number {
    const sent = [...this.sent];
    let t = at;
    for (let i = 0; i < count; i++) {
      t = this.earliest(t, sent);
      sent.push(t);
    }
    return t;
  }

  record(at: number): void {
    this.sent.push(at);
    // Older than the longest window: counts for nothing any more.
    this.sent = this.sent.filter((s) => s > at - HOUR);
  }

  block(until: number): void {
    this.blockedUntil = Math.max(this.blockedUntil, until);
  }

  /** A send at s counts in (s, s + window]; with `limit` sends in the window at t, room comes when the oldest that matters leaves it. */
  private freeAt(sent: readonly number[], t: number, window: number, limit: number): number {
    const inWindow = sent.filter((s) => s > t - window).sort((a, b) => a - b);
    if (inWindow.length < limit) return t;
    return inWindow[inWindow.length - limit]! + window;
  }
}

/** Splits a recipient list into emails of at most `size` recipients, in order. */
export function recipientBatches(recipients: readonly string[], size: number): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < recipients.length; i += size) batches.push(recipients.slice(i, i + size));
  return batches;
}

export function createPacedTransport(inner: MailTransport, options: PacingOptions): MailTransport {
  const { limits } = options;
  const clock = options.clock ?? REAL_CLOCK;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const maxThrottledRetries = options.maxThrottledRetries ?? 3;
  const windows = new SendWindows(limits);
  // One email at a time: concurrent sends through one transport would otherwise all see the same free slot.
  let queue: Promise<unknown> = Promise.resolve();

  const deferred = (reason: string, unsent: readonly string[], retryAfterMs?: number) =>
    new MailError("unavailable", `deferred: ${reason}; the digest stays stored and the hourly digest-retry timer sends it`, {
      deferred: true,
      unsent,
      ...(retryAfterMs !== undefined && { retryAfterMs }),
    });

  async function sendPaced(message: MailMessage): Promise<SentMail> {
    const batches = recipientBatches(message.to, limits.recipientsPerMessage);
    if (batches.length === 0) return inner.send(message);
    if (batches.length > limits.perHour) {
      throw new MailError(
        "rejected",
        `${message.to.length} recipients need ${batches.length} emails of at most ${limits.recipientsPerMessage}, more than the ${limits.perHour} an hour the email domain accepts: use a custom email domain with higher limits (docs/digest.md, "Sending limits") or fewer recipients per digest`,
      );
    }
    const start = clock.now();
    const lastAt = windows.lastOf(batches.length, start);
    if (lastAt - start > maxWaitMs) {
      throw deferred(`the email sending limits (${limits.perMinute} a minute, ${limits.perHour} an hour) leave no room for ${batches.length === 1 ? "this email" : `these ${batches.length} emails`} within ${Math.round(maxWaitMs / 1000)} s`, message.to, lastAt - start);
    }
    const ids: string[] = [];
    for (let i = 0; i < batches.length; i++) {
      const unsent = batches.slice(i).flat();
      for (let throttled = 0; ; ) {
        const now = clock.now();
        const wait = windows.earliest(now) - now;
        if (wait > maxWaitMs) throw deferred(`the email service asked to wait ${Math.ceil(wait / 1000)} s`, unsent, wait);
        if (wait > 0) await clock.sleep(wait);
        try {
          const sent = await inner.send({ ...message, to: batches[i]! });
          windows.record(clock.now());
          ids.push(sent.messageId);
          break;
        } catch (error) {
          if (error instanceof MailError && error.retryAfterMs !== undefined) {
            windows.block(clock.now() + error.retryAfterMs);
            throttled += 1;
            if (throttled <= maxThrottledRetries && error.retryAfterMs <= maxWaitMs) continue;
            if (error.retryAfterMs > maxWaitMs) throw deferred(`the email service asked to wait ${Math.ceil(error.retryAfterMs / 1000)} s`, unsent, error.retryAfterMs);
          }
          if (i === 0 || !(error instanceof MailError)) throw error;
          throw new MailError(error.code, `${error.message} (after ${i} of ${batches.length} emails of this digest were sent)`, { cause: error, unsent, ...(error.retryAfterMs !== undefined && { retryAfterMs: error.retryAfterMs }) });
        }
      }
    }
    return { transport: inner.kind, messageId: ids.join(" ") };
  }

  return {
    kind: inner.kind,
    send(message) {
      const result = queue.then(() => sendPaced(message));
      queue = result.catch(() => undefined);
      return result;
    },
    close: () => inner.close(),
  };
}
