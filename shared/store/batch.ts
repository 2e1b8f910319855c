/**
 * Writing many rows: grouped by partition into transactions of at most 100
 * actions and well under the 4 MiB payload limit, submitted a few at a time.
 * Every action is an upsert (Replace) or a delete, so running a plan again,
 * whole or in part, converges on the same rows.
 */
import type { TableClient, TransactionAction } from "@azure/data-tables";
import pLimit from "p-limit";
import type { Row } from "./entities.js";
import { entityBytes } from "./limits.js";

export const MAX_TRANSACTION_ACTIONS = 100;
/** The service accepts 4 MiB per transaction; the rest covers multipart framing and headers. */
export const MAX_TRANSACTION_BYTES = 3 * 1024 * 1024;

export type WriteAction = { kind: "upsert"; row: Row } | { kind: "delete"; partitionKey: string; rowKey: string };

export type WriteMode = "transactions" | "single";

/** Actions grouped per partition and cut into transactions; a row written twice keeps its last version. */
export function planTransactions(actions: readonly WriteAction[]): WriteAction[][] {
  const byPartition = new Map<string, Map<string, WriteAction>>();
  for (const action of actions) {
    const pk = action.kind === "upsert" ? action.row.partitionKey : action.partitionKey;
    const rk = action.kind === "upsert" ? action.row.rowKey : action.rowKey;
    let rows = byPartition.get(pk);
    if (!rows) byPartition.set(pk, (rows = new Map()));
    // One entity may appear only once per transaction.
    rows.delete(rk);
    rows.set(rk, action);
  }
  const transactions: WriteAction[][] = [];
  for (const rows of byPartition.values()) {
    let current: WriteAction[] = [];
    let bytes = 0;
    for (const action of rows.values()) {
      const size = action.kind === "upsert" ? entityBytes(action.row) : 256;
      if (current.length === MAX_TRANSACTION_ACTIONS || (current.length > 0 && bytes + size > MAX_TRANSACTION_BYTES)) {
        transactions.push(current);
        current = [];
        bytes = 0;
      }
      current.push(action);
      bytes += size;
    }
    if (current.length > 0) transactions.push(current);
  }
  return transactions;
}

/** Requests made and rows written (or deleted). */
export interface WriteCount {
  requests: number;
  rows: number;
}

export const NO_WRITES: WriteCount = { requests: 0, rows: 0 };

export function addCounts(...counts: WriteCount[]): WriteCount {
  return counts.reduce((a, b) => ({ requests: a.requests + b.requests, rows: a.rows + b.rows }), NO_WRITES);
}

/** Writes the actions. Throws the first failure, once every write in flight has settled. */
export async function writeAll(
  client: TableClient,
  actions: readonly WriteAction[],
  options: { mode: WriteMode; concurrency: number },
): Promise<WriteCount> {
  if (actions.length === 0) return NO_WRITES;
  const limit = pLimit(options.concurrency);
  const transactions = planTransactions(actions);
  const rows = transactions.reduce((n, t) => n + t.length, 0);
  if (options.mode === "single") {
    await settleAll(transactions.flat().map((a) => limit(() => writeOne(client, a))));
    return { requests: rows, rows };
  }
  await settleAll(transactions.map((t) => limit(() => submit(client, t))));
  return { requests: transactions.length, rows };
}

async function submit(client: TableClient, transaction: WriteAction[]): Promise<void> {
  const sdkActions: TransactionAction[] = transaction.map((a) =>
    a.kind === "upsert" ? ["upsert", a.row, "Replace"] : ["delete", { partitionKey: a.partitionKey, rowKey: a.rowKey }],
  );
  try {
    await client.submitTransaction(sdkActions);
  } catch (error) {
    // A delete of a row already gone fails the whole transaction; on a retry that is
    // expected, so the same actions are applied one by one with "not found" accepted.
    if (statusOf(error) === 404 && transaction.some((a) => a.kind === "delete")) {
      for (const a of transaction) await writeOne(client, a);
      return;
    }
    throw error;
  }
}

async function writeOne(client: TableClient, a: WriteAction): Promise<void> {
  if (a.kind === "upsert") {
    await client.upsertEntity(a.row, "Replace");
    return;
  }
  try {
    await client.deleteEntity(a.partitionKey, a.rowKey);
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}

export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}

/** Like Promise.all, but waits for every write to finish before reporting the first failure. */
async function settleAll(work: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}
