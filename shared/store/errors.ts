/** Errors a caller can act on; HTTP handlers map them to status codes, the CLI to messages. */

/** A query parameter or body field is invalid; the message names it. */
export class InvalidParameterError extends Error {
  override readonly name = "InvalidParameterError";
  readonly code = "invalid-parameter";
  constructor(
    readonly parameter: string,
    problem: string,
  ) {
    super(`${parameter}: ${problem}`);
  }
}

/** The store is not configured (no connection string or account URL). */
export class StoreNotConfiguredError extends Error {
  override readonly name = "StoreNotConfiguredError";
  readonly code = "store-not-configured";
}
