/**
 * A request budget per clock hour, shared by every instance of the app: the
 * Functions app scales out, so an in-memory counter would multiply the limit by
 * the instance count. One Table Storage row per action and window holds the
 * count; every increment is a conditional write on the row's ETag (or an
 * insert that fails when another instance inserted first), so two instances
 * never both spend the last unit.
 *
 * | PartitionKey | RowKey (window start, UTC) | count |
 * |--------------|----------------------------|-------|
 * | scans-start  | 20261130T06                | 7     |
 *
 * Rows are a few hundred bytes, one per action and hour that saw a request.
 */
import { RestError, type TableClient } from "@azure/data-tables";

export const HOUR_MS = 60 * 60 * 1000;

/** Rounds of read-then-write under contention before giving up; each round one writer wins. */
const MAX_ROUNDS = 50;

export interface RateDecision {
  allowed: boolean;
  /** Requests counted in the window, this one included when allowed. */
  count: number;
  limit: number;
  /** Whole seconds until the window ends (at least 1): the Retry-After of a refusal. */
  retryAfterSeconds: number;
}

/** A budget is spent: the HTTP layer answers 429 with Retry-After. */
export class RateLimitedError extends Error {
  override readonly name = "RateLimitedError";
  constructor(
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}

interface CounterRow {
  partitionKey: string;
  rowKey: string;
  count: number;
}

export class WindowCounter {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  /**
   * Spends one unit of `action`'s budget for the current hour, if any is left.
   * A refusal spends nothing.
   *
   * @example
   * const decision = await counter.take("scans-start", 12);
   * if (!decision.allowed) answer429(decision.retryAfterSeconds);
   */
  async take(action: string, limit: number): Promise<RateDecision> {
    const at = this.now().getTime();
    const windowStart = Math.floor(at / HOUR_MS) * HOUR_MS;
    const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + HOUR_MS - at) / 1000));
    const key = { partitionKey: action, rowKey: windowKey(windowStart) };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const row = await this.read(key.partitionKey, key.rowKey);
      if (row === undefined) {
        if (await this.attempt(() => this.table.createEntity<CounterRow>({ ...key, count: 1 }))) return { allowed: true, count: 1, limit, retryAfterSeconds };
        continue;
      }
      if (row.count >= limit) return { allowed: false, count: row.count, limit, retryAfterSeconds };
      const next = row.count + 1;
      if (await this.attempt(() => this.table.updateEntity<CounterRow>({ ...key, count: next }, "Replace", { etag: row.etag }))) {
        return { allowed: true, count: next, limit, retryAfterSeconds };
      }
    }
    // Fifty lost races in a row: more callers than the budget could ever admit. Refusing is the safe answer.
    return { allowed: false, count: limit, limit, retryAfterSeconds: 1 };
  }

  private async read(partitionKey: string, rowKey: string): Promise<(CounterRow & { etag: string }) | undefined> {
    try {
      const entity = await this.table.getEntity<CounterRow>(partitionKey, rowKey);
      return { partitionKey, rowKey, count: Number(entity.count ?? 0), etag: entity.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /** True when the write went through; false when another instance wrote first (409 on insert, 412 on update). */
  private async attempt(write: () => Promise<unknown>): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) return false;
      throw error;
    }
  }
}

/** "20261130T06": sortable, and readable in Storage Explorer. */
function windowKey(start: number): string {
  return new Date(start).toISOString().slice(0, 13).replace(/[-:]/g, "");
}
