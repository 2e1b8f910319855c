/**
 * Runs a Resource Graph query to its last page, over subscriptions in
 * batches (the API takes a limited number per request), pausing when the
 * quota headers say the caller's quota is spent. 429 responses are retried by
 * the SDK's own policy, which waits the Retry-After.
 */
import type { ResourceGraphClient } from "@azure/arm-resourcegraph";

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
}

export async function queryAllPages(client: ResourceGraphClient, query: string, scope: QueryScope, gate: QuotaGate): Promise<QueryResult> {
  const rows: Row[] = [];
  let truncated = false;
  let skipToken: string | undefined;
  do {
    await gate.ready();
    const response = await client.resources(
      {
        query,
        ...("subscriptions" in scope && { subscriptions: scope.subscriptions }),
        ...("managementGroups" in scope && { managementGroups: scope.managementGroups }),
        options: { top: PAGE_SIZE, resultFormat: "objectArray", ...(skipToken !== undefined && { skipToken }) },
      },
      { onResponse: (raw) => gate.observe(raw.headers) },
    );
    rows.push(...((response.data as Row[] | undefined) ?? []));
    if (String(response.resultTruncated).toLowerCase() === "true") truncated = true;
    skipToken = response.skipToken ?? undefined;
  } while (skipToken);
  return { rows, truncated };
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
