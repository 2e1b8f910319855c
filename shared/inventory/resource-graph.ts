/**
 * Runs a Resource Graph query to its last page, over subscriptions in
 * batches (the API takes a limited number per request), pausing when the
 * quota headers say the caller's quota is spent. Resource Graph documents
 * only x-ms-user-quota-remaining and x-ms-user-quota-resets-after on its
 * answers, 429 included (learn.microsoft.com/azure/governance/resource-graph/
 * concepts/guidance-for-throttled-requests), while the SDK's pipeline retries
 * a 429 only when Retry-After is present: so a 429 is retried here, a bounded
 * number of times, after the quota resets.
 */
import type { AuthorizationScopeFilter, ResourceGraphClient } from "@azure/arm-resourcegraph";

/** Resource Graph accepts at most this many subscriptions per query. */
export const MAX_SUBSCRIPTIONS_PER_QUERY = 1000;
/** Rows per page: Resource Graph's maximum. */
const PAGE_SIZE = 1000;

export type Row = Record<string, unknown>;

export type QueryScope = { subscriptions: string[] } | { managementGroups: string[] } | { tenant: true };

/** Pauses queries while the caller's Resource Graph quota is spent (x-ms-user-quota-remaining: 0). */
export class QuotaGate {
  private blockedUntil = 0;

  constructor(private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms))) {}

  async ready(): Promise<void> {
    const wait = this.blockedUntil - Date.now();
    if (wait > 0) await this.sleep(wait);
  }

  /** After a 429: wait until the quota resets (or a default window when the answer did not say). */
  throttled(headers: { get(name: string): string | undefined } | undefined): void {
    const resetsAfter = parseTimeSpan(headers?.get("x-ms-user-quota-resets-after"));
    this.blockedUntil = Math.max(this.blockedUntil, Date.now() + (resetsAfter ?? DEFAULT_THROTTLE_WAIT_MS));
  }

  observe(headers: { get(name: string): string | undefined }): void {
    const remaining = Number(headers.get("x-ms-user-quota-remaining"));
    const resetsAfter = parseTimeSpan(headers.get("x-ms-user-quota-resets-after"));
    if (Number.isFinite(remaining) && remaining <= 0 && resetsAfter !== undefined) {
      this.blockedUntil = Math.max(this.blockedUntil, Date.now() + resetsAfter);
    }
  }
}

export interface QueryResult {
  rows: Row[];
  /** True when Resource Graph cut the result short without a way to page on. */
  truncated: boolean;
  /**
   * True when Resource Graph answered for the first 10,000 subscriptions of the
   * tenant or management group only (x-ms-tenant-subscription-limit-hit: true).
   */
  subscriptionLimitHit: boolean;
}

/** Attempts of one page when Resource Graph keeps answering 429. */
export const MAX_THROTTLED_ATTEMPTS = 5;
/** Wait after a 429 that names no reset time: Resource Graph's quota window is a few seconds. */
const DEFAULT_THROTTLE_WAIT_MS = 5_000;

/** Per-query options beyond paging: authorizationScopeFilter for authorizationresources queries (see queries.ts). */
export interface QueryOptions {
  authorizationScopeFilter?: AuthorizationScopeFilter;
}

export async function queryAllPages(client: ResourceGraphClient, query: string, scope: QueryScope, gate: QuotaGate, queryOptions: QueryOptions = {}): Promise<QueryResult> {
  const rows: Row[] = [];
  let truncated = false;
  let subscriptionLimitHit = false;
  let skipToken: string | undefined;
  do {
    const request = {
      query,
      ...("subscriptions" in scope && { subscriptions: scope.subscriptions }),
      ...("managementGroups" in scope && { managementGroups: scope.managementGroups }),
      options: { ...queryOptions, top: PAGE_SIZE, resultFormat: "objectArray" as const, ...(skipToken !== undefined && { skipToken }) },
    };
    const response = await withThrottlingRetries(gate, () =>
      client.resources(request, {
        onResponse: (raw) => {
          gate.observe(raw.headers);
          if ((raw.headers.get("x-ms-tenant-subscription-limit-hit") ?? "").toLowerCase() === "true") subscriptionLimitHit = true;
        },
      }),
    );
    rows.push(...((response.data as Row[] | undefined) ?? []));
    if (String(response.resultTruncated).toLowerCase() === "true") truncated = true;
    skipToken = response.skipToken ?? undefined;
  } while (skipToken);
  return { rows, truncated, subscriptionLimitHit };
}

async function withThrottlingRetries<T>(gate: QuotaGate, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    await gate.ready();
    try {
      return await send();
    } catch (error) {
      const { statusCode, response } = (error ?? {}) as { statusCode?: number; response?: { headers?: { get(name: string): string | undefined } } };
      if (statusCode !== 429 || attempt >= MAX_THROTTLED_ATTEMPTS) throw error;
      gate.throttled(response?.headers);
    }
  }
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** "hh:mm:ss" (optionally "d.hh:mm:ss" and fractional seconds) to milliseconds. */
export function parseTimeSpan(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const match = /^(?:(\d+)\.)?(\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(value.trim());
  if (!match) return undefined;
  const [, days = "0", hours = "0", minutes = "0", seconds = "0"] = match;
  return ((Number(days) * 24 + Number(hours)) * 3600 + Number(minutes) * 60 + Number(seconds)) * 1000;
}
