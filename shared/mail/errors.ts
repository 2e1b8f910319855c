export const MAIL_ERROR_CODES = ["unavailable", "rejected", "not-installed", "not-configured"] as const;
/**
 * unavailable: the service could not be reached or failed for now (retry);
 * rejected: the service refused this message (a retry sends the same message, so it fails again);
 * not-installed / not-configured: the deployment is wrong, not the message.
 */
export type MailErrorCode = (typeof MAIL_ERROR_CODES)[number];

export class MailError extends Error {
  override readonly name = "MailError";
  constructor(
    readonly code: MailErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get retryable(): boolean {
    return this.code === "unavailable";
  }
}
