/**
 * The lower bound of a scan's wall time: no scanner, however clever, can
 * finish sooner than the largest of
 *  (a) latency: the requests it must make, each waiting the injected latency,
 *      spread over the requests it is configured to keep in flight;
 *  (b) throttling: for each throttled API, the time its quota lets that many
 *      requests through (a fixed window, full at the start);
 *  (c) parsing: the time one process needs just to JSON.parse the response
 *      bytes, at a parse rate measured on the same payloads.
 * Pure arithmetic, so that it can be tested and read on its own.
 */

export interface Quota {
  limit: number;
  windowSeconds: number;
}

export interface BoundInputs {
  /** Requests the checks need (first attempts; retries are the scanner's cost, not the bound's). */
  requests: number;
  latencyMs: number;
  /** Requests the scanner is configured to have in flight at once. */
  concurrency: number;
  throttled: ReadonlyArray<{ api: string; requests: number; quota: Quota }>;
  responseBytes: number;
  parseBytesPerSecond: number;
}

export const BOUND_PARTS = ["latency", "throttling", "parsing"] as const;
export type BoundPart = (typeof BOUND_PARTS)[number];

export interface LowerBound {
  latencyMs: number;
  /** Per throttled API. */
  throttlingMs: Record<string, number>;
  parsingMs: number;
  boundMs: number;
  limitedBy: BoundPart;
}

export function lowerBound(inputs: BoundInputs): LowerBound {
  const latencyMs = (inputs.requests * inputs.latencyMs) / Math.max(1, inputs.concurrency);
  const throttlingMs: Record<string, number> = {};
  for (const { api, requests, quota } of inputs.throttled) throttlingMs[api] = quotaTimeMs(requests, quota);
  const slowestQuota = Math.max(0, ...Object.values(throttlingMs));
  const parsingMs = inputs.parseBytesPerSecond > 0 ? (inputs.responseBytes / inputs.parseBytesPerSecond) * 1000 : 0;
  const parts: Record<BoundPart, number> = { latency: latencyMs, throttling: slowestQuota, parsing: parsingMs };
  const limitedBy = BOUND_PARTS.reduce((best, part) => (parts[part] > parts[best] ? part : best), "latency" as BoundPart);
  return { latencyMs, throttlingMs, parsingMs, boundMs: parts[limitedBy], limitedBy };
}

/**
 * The earliest the last of `requests` can be admitted when `limit` are
 * allowed per window: the first window opens with the first request, so
 * request n (from 1) waits for window floor((n - 1) / limit).
 */
export function quotaTimeMs(requests: number, quota: Quota): number {
  if (requests <= 0) return 0;
  return Math.floor((requests - 1) / quota.limit) * quota.windowSeconds * 1000;
}

/** Resource Graph pages a complete inventory reads: each query's rows in pages of `pageSize` (an empty result is one page). */
export function resourceGraphPages(rowsPerQuery: readonly number[], pageSize = 1000): number {
  return rowsPerQuery.reduce((sum, rows) => sum + Math.max(1, Math.ceil(rows / pageSize)), 0);
}

/** Bytes per second JSON.parse manages on these bodies, timed over at least `minMs`. */
export function measureParseRate(bodies: readonly string[], minMs = 500, now: () => number = () => performance.now()): number {
  const bytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
  if (bytes === 0) return 0;
  for (const body of bodies) JSON.parse(body); // warm up
  let rounds = 0;
  const started = now();
  let elapsed = 0;
  do {
    for (const body of bodies) JSON.parse(body);
    rounds += 1;
    elapsed = now() - started;
  } while (elapsed < minMs);
  return (bytes * rounds) / (elapsed / 1000);
}
