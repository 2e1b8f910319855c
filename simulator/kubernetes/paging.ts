/**
 * Continue tokens, shaped like the real API server's (base64 of a small JSON
 * document with the list resourceVersion and the key to start from). They
 * expire when they grow older than the configured lifetime (the real server
 * loses the snapshot at etcd compaction) or when a fault says so: the client
 * then gets 410 Gone with reason Expired and must restart its list.
 */

interface ContinuePayload {
  v: "meta.k8s.io/v1";
  rv: number;
  /** Key (namespace/name) of the first object of the next page, inclusive. */
  start: string;
  /** Resource the token belongs to: a token is only valid for the list it came from. */
  r: string;
  /** Issued at, milliseconds since the epoch. */
  t: number;
}

export type ContinueCheck =
  | { ok: true; start: string; resourceVersion: number }
  | { ok: false; reason: "invalid"; message: string }
  | { ok: false; reason: "expired"; start: string; resourceVersion: number };

export function encodeContinue(payload: Omit<ContinuePayload, "v">): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", ...payload })).toString("base64url");
}

export function decodeContinue(
  token: string,
  expected: { resource: string; nowMs: number; ttlMs: number },
): ContinueCheck {
  let payload: Partial<ContinuePayload>;
  try {
    payload = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<ContinuePayload>;
  } catch {
    return { ok: false, reason: "invalid", message: "continue key is not valid: illegal base64 data" };
  }
  if (payload.v !== "meta.k8s.io/v1" || typeof payload.start !== "string" || typeof payload.rv !== "number") {
    return { ok: false, reason: "invalid", message: "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)" };
  }
  if (payload.r !== expected.resource) {
    return { ok: false, reason: "invalid", message: "continue key is not valid: key provided with continue does not match the requested list" };
  }
  const stale = typeof payload.t !== "number" || expected.nowMs - payload.t > expected.ttlMs;
  return stale
    ? { ok: false, reason: "expired", start: payload.start, resourceVersion: payload.rv }
    : { ok: true, start: payload.start, resourceVersion: payload.rv };
}

export const EXPIRED_CONTINUE_MESSAGE =
  "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, " +
  "or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an " +
  "inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.";
