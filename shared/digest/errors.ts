export const DIGEST_ERROR_CODES = ["scan-not-found", "invalid-scan-id", "digest-not-found", "no-transport", "not-configured", "invalid-routes"] as const;
/** HTTP handlers map these to 404 (not-found codes) or 400 (the rest). */
export type DigestErrorCode = (typeof DIGEST_ERROR_CODES)[number];

export class DigestError extends Error {
  override readonly name = "DigestError";
  constructor(
    readonly code: DigestErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
