/**
 * The per-scope counts as rows of the Scans table (partition "counts", one row
 * per scope, and a marker row once every scope with findings has one).
 *
 * A writer marks the row stale before it changes a scope's findings and
 * replaces it with fresh counts after, on the condition that nobody else
 * touched the row meanwhile (its etag). Two writers overlapping on one scope,
 * or a writer that stops half-way, leave the row stale: the overview then
 * reads that scope's findings live, so a count is never silently wrong.
 */
import { odata, type TableClient } from "@azure/data-tables";
import { statusOf } from "./batch.js";
import type { Row } from "./entities.js";
import { MAX_STRING_PROPERTY } from "./limits.js";
import type { FindingCounts, ScopeCounts } from "./counts.js";

export const COUNTS_PARTITION = "counts";
/** Present once every scope with open or suppressed findings has a counts row (written by completeScan). */
const COMPLETE_ROW = "all-scopes";

/** A stored row: its counts, unless stale (being written, overlapped, or too large to store). */
export interface StoredScopeCounts extends ScopeCounts {
  scope: string;
  stale: boolean;
}

/** What the counts partition holds: every scope's row, and whether rows exist for every scope with findings. */
export interface CountRows {
  complete: boolean;
  scopes: StoredScopeCounts[];
}

export class CountRowsTable {
  constructor(private readonly scans: TableClient) {}

  /** Marks a scope's row stale before its findings change; the etag returned lets `finish` know nobody else wrote since. */
  async begin(scope: string): Promise<string | undefined> {
    const headers = await this.scans.upsertEntity({ partitionKey: COUNTS_PARTITION, rowKey: scope, stale: true }, "Merge");
    return headers.etag;
  }

  /** Writes the counts derived from the scope's findings as just written; left stale when another writer touched the row since `begin`. */
  async finish(scope: string, etag: string | undefined, counts: ScopeCounts): Promise<void> {
    try {
      await this.scans.updateEntity(countsEntity(scope, counts), "Replace", etag === undefined ? {} : { etag });
    } catch (error) {
      if (statusOf(error) !== 412 && statusOf(error) !== 404) throw error;
      // The other writer may have read the scope while this one was writing: neither view is whole.
      await this.scans.upsertEntity({ partitionKey: COUNTS_PARTITION, rowKey: scope, stale: true }, "Merge");
    }
  }

  /** A row for a scope written before counts existed; a writer that got there first wins (409). */
  async backfill(scope: string, counts: ScopeCounts): Promise<void> {
    try {
      await this.scans.createEntity(countsEntity(scope, counts));
    } catch (error) {
      if (statusOf(error) !== 409) throw error;
    }
  }

  async markComplete(): Promise<void> {
    await this.scans.upsertEntity({ partitionKey: COUNTS_PARTITION, rowKey: COMPLETE_ROW }, "Replace");
  }

  async read(): Promise<CountRows> {
    let complete = false;
    const scopes: StoredScopeCounts[] = [];
    for await (const e of this.scans.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${COUNTS_PARTITION}` } })) {
      if (e.rowKey === COMPLETE_ROW) complete = true;
      else scopes.push(countsFromEntity(e as Row));
    }
    return { complete, scopes };
  }
}

function countsEntity(scope: string, counts: ScopeCounts): Row {
  const groups = JSON.stringify(counts.groups);
  // Too many groups for one property (thousands of clusters' findings in one fleet scope): read live instead.
  if (groups.length > MAX_STRING_PROPERTY) return { partitionKey: COUNTS_PARTITION, rowKey: scope, stale: true };
  return { partitionKey: COUNTS_PARTITION, rowKey: scope, stale: false, groups, ...(counts.nextExpiry !== undefined && { nextExpiry: counts.nextExpiry }) };
}

function countsFromEntity(e: Row): StoredScopeCounts {
  const stale = e["stale"] !== false || typeof e["groups"] !== "string";
  const nextExpiry = typeof e["nextExpiry"] === "string" ? e["nextExpiry"] : undefined;
  return {
    scope: String(e.rowKey),
    stale,
    groups: stale ? [] : (JSON.parse(String(e["groups"])) as FindingCounts[]),
    ...(nextExpiry !== undefined && { nextExpiry }),
  };
}
