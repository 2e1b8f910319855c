export const MAIL_ERROR_CODES = ["unavailable", "rejected", "not-installed", "not-configured"] as const;
/**
 * unavailable: the service could not be reached or failed for now (retry);
 * rejected: the service refused this message (a retry sends the same message, so it fails again);
 * not-installed / not-configured: the deployment is wrong, not the message.
 */
export type MailErrorCode = (typeof MAIL_ERROR_CODES)[number];

export interface MailErrorOptions {
  cause?: unknown;
  /** How long the service asked to wait before the next send (a 429's Retry-After), in milliseconds. */
  retryAfterMs?: number;
  /**
   * Nothing was sent because the sending limits leave no room within the wait
   * this delivery may spend: send it later (the hourly digest-retry timer does).
   */
  deferred?: boolean;
  /** For a message split into several emails: the recipients not sent yet when this error happened. */
  unsent?: readonly string[];
}

export class MailError extends Error {
  override readonly name = "MailError";
  readonly retryAfterMs?: number;
  readonly deferred: boolean;
  readonly unsent?: readonly string[];

  constructor(
    readonly code: MailErrorCode,
    message: string,
    options: MailErrorOptions = {},
  ) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    this.deferred = options.deferred ?? false;
    if (options.unsent !== undefined) this.unsent = options.unsent;
  }

  get retryable(): boolean {
    return this.code === "unavailable";
  }
}
