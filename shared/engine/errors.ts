/** Errors a person can act on; anything else is a bug. The CLI maps each code to an exit code. */
export type ScanErrorCode = "no-credential" | "nothing-to-scan" | "invalid-input";

export class ScanError extends Error {
  override readonly name = "ScanError";
  constructor(
    readonly code: ScanErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
