/**
 * Continuation tokens handed to callers: the service's own token plus a
 * fingerprint of the query it belongs to, base64url-encoded. A token that was
 * altered, truncated or taken from another query is refused as a bad
 * parameter rather than reaching the service.
 */
import { InvalidParameterError } from "./errors.js";

export const CONTINUATION_PARAMETER = "continuationToken";

export function encodeContinuation(fingerprint: string, serviceToken: string): string {
  return Buffer.from(JSON.stringify({ q: fingerprint, t: serviceToken }), "utf8").toString("base64url");
}

/** The service token inside a caller's token, checked against the query it is used with. */
export function decodeContinuation(token: string, fingerprint: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw new InvalidParameterError(CONTINUATION_PARAMETER, "is not a token this API issued");
  }
  const { q, t } = (parsed ?? {}) as { q?: unknown; t?: unknown };
  if (typeof q !== "string" || typeof t !== "string" || !isServiceToken(t)) {
    throw new InvalidParameterError(CONTINUATION_PARAMETER, "is not a token this API issued");
  }
  if (q !== fingerprint) throw new InvalidParameterError(CONTINUATION_PARAMETER, "belongs to a different query; repeat the query's filters unchanged");
  return t;
}

/** The SDK's token: base64 of {"nextPartitionKey": ..., "nextRowKey"?: ...}. */
function isServiceToken(t: string): boolean {
  try {
    const inner = JSON.parse(Buffer.from(t, "base64").toString("utf8")) as { nextPartitionKey?: unknown; nextRowKey?: unknown };
    return typeof inner.nextPartitionKey === "string" && (inner.nextRowKey === undefined || typeof inner.nextRowKey === "string");
  } catch {
    return false;
  }
}
