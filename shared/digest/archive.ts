/**
 * The digest archive: every rendered digest is written here before it is
 * sent, with one delivery record per audience and one row per send attempt.
 * A digest whose send failed stays here until a resend delivers it, so a mail
 * server that is down loses nothing.
 *
 * | PartitionKey     | RowKey                          | holds                                  |
 * |------------------|---------------------------------|----------------------------------------|
 * | "scan|" + scan   | "a|" + audience                 | delivery record: status, attempts, counts for the trend |
 * |                  | "c|" + audience + "|html|0000"  | the HTML part in 30,000-character chunks (a string property holds at most 64 KiB) |
 * |                  | "c|" + audience + "|text|0000"  | the plain-text part, likewise          |
 * |                  | "t|" + audience + "|0001"       | one send attempt: when, outcome, error |
 *
 * Chunks are written before the record, so a record always points at complete parts.
 */
import { odata, TableClient, TableTransaction, type TableServiceClientOptions } from "@azure/data-tables";
import type { TokenCredential } from "@azure/identity";
import type { WiscanConfig } from "../config/index.js";
import { checkTablePrefix, DEFAULT_TABLE_PREFIX, StoreNotConfiguredError, tableClientFactory } from "../store/index.js";
import { DigestError } from "./errors.js";
import type { Digest, DigestAudience, TrendRecord } from "./model.js";
import type { DigestPartKind } from "./render.js";

export const DELIVERY_STATUSES = ["stored", "sent", "failed", "not-sent"] as const;
/** stored: rendered, no attempt finished yet; failed: the last attempt failed (resend it); not-sent: no transport configured. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface DeliveryRecord {
  scanId: string;
  scanStartedAt: string;
  audienceId: string;
  subscriptions?: string[];
  recipients: string[];
  subject: string;
  sizeBytes: number;
  renderedAt: string;
  status: DeliveryStatus;
  attempts: number;
  lastAttemptAt?: string;
  lastError?: string;
  sentAt?: string;
  messageId?: string;
  transport?: string;
  /** Rows holding each part: a later, shorter rendering leaves stale chunks past these counts. */
  htmlChunks: number;
  textChunks: number;
  /** The digest's own numbers, for later digests' trend. */
  open: number;
  scorePercent?: number;
}

export interface DeliveryAttempt {
  attempt: number;
  at: string;
  outcome: "sent" | "failed";
  transport: string;
  error?: string;
  messageId?: string;
}

export interface StoredDigest {
  record: DeliveryRecord;
  html: string;
  text: string;
}

export const CHUNK_CHARS = 30_000;
/** Rows per transaction: 20 chunks stay far below the 4 MiB payload limit even for three-byte characters. */
const CHUNKS_PER_TRANSACTION = 20;
const SCAN_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const AUDIENCE_ID = /^[A-Za-z0-9-]{1,64}$/;

export class DigestArchive {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  /** Stores a rendered digest and its delivery record (status "stored"), replacing an earlier rendering. */
  async save(scan: { id: string; startedAt: string }, audience: DigestAudience, digest: Digest): Promise<DeliveryRecord> {
    const pk = partition(scan.id);
    const audienceId = checkAudience(audience.id);
    const previous = await this.getRecord(scan.id, audienceId);
    const counts = { html: 0, text: 0 };
    for (const kind of ["html", "text"] as const) {
      const rows = chunk(kind === "html" ? digest.html : digest.text).map((part, i) => ({ partitionKey: pk, rowKey: chunkKey(audienceId, kind, i), part }));
      counts[kind] = rows.length;
      for (let i = 0; i < rows.length; i += CHUNKS_PER_TRANSACTION) {
        const tx = new TableTransaction();
        for (const row of rows.slice(i, i + CHUNKS_PER_TRANSACTION)) tx.upsertEntity(row, "Replace");
        await this.table.submitTransaction(tx.actions);
      }
    }
    const record: DeliveryRecord = {
      scanId: scan.id,
      scanStartedAt: scan.startedAt,
      audienceId,
      ...(audience.subscriptions !== undefined && { subscriptions: [...audience.subscriptions] }),
      recipients: [...audience.recipients],
      subject: digest.subject,
      sizeBytes: digest.sizeBytes,
      renderedAt: this.now().toISOString(),
      status: "stored",
      htmlChunks: counts.html,
      textChunks: counts.text,
      // Attempts count across renderings, so attempt rows of an earlier rendering are never overwritten.
      attempts: previous?.attempts ?? 0,
      open: digest.summary.open,
      ...(digest.summary.scorePercent !== undefined && { scorePercent: digest.summary.scorePercent }),
    };
    await this.table.upsertEntity({ partitionKey: pk, rowKey: recordKey(audienceId), ...recordEntity(record) }, "Replace");
    return record;
  }

  /** The record after an attempt, with the attempt kept as its own row. */
  async recordAttempt(record: DeliveryRecord, attempt: Omit<DeliveryAttempt, "attempt">): Promise<DeliveryRecord> {
    const pk = partition(record.scanId);
    const number = record.attempts + 1;
    await this.table.upsertEntity(
      {
        partitionKey: pk,
        rowKey: `t|${record.audienceId}|${String(number).padStart(4, "0")}`,
        attempt: number,
        at: attempt.at,
        outcome: attempt.outcome,
        transport: attempt.transport,
        ...(attempt.error !== undefined && { error: attempt.error.slice(0, 2000) }),
        ...(attempt.messageId !== undefined && { messageId: attempt.messageId }),
      },
      "Replace",
    );
    const { lastError: _lastError, ...rest } = record;
    const next: DeliveryRecord = {
      ...rest,
      attempts: number,
      lastAttemptAt: attempt.at,
      transport: attempt.transport,
      status: attempt.outcome === "sent" ? "sent" : "failed",
      ...(attempt.outcome === "sent" && { sentAt: attempt.at, ...(attempt.messageId !== undefined && { messageId: attempt.messageId }) }),
      ...(attempt.error !== undefined && { lastError: attempt.error.slice(0, 2000) }),
    };
    await this.table.upsertEntity({ partitionKey: pk, rowKey: recordKey(record.audienceId), ...recordEntity(next) }, "Replace");
    return next;
  }

  /** Marks a stored digest as deliberately not sent (MAIL_TRANSPORT=none). */
  async markNotSent(record: DeliveryRecord): Promise<DeliveryRecord> {
    const next: DeliveryRecord = { ...record, status: "not-sent" };
    await this.table.upsertEntity({ partitionKey: partition(record.scanId), rowKey: recordKey(record.audienceId), ...recordEntity(next) }, "Replace");
    return next;
  }

  async getRecord(scanId: string, audienceId: string): Promise<DeliveryRecord | undefined> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(partition(scanId), recordKey(checkAudience(audienceId)));
      return recordFromEntity(e);
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return undefined;
      throw error;
    }
  }

  /** A stored digest with both parts, or undefined. */
  async get(scanId: string, audienceId: string): Promise<StoredDigest | undefined> {
    const record = await this.getRecord(scanId, audienceId);
    if (!record) return undefined;
    const [html, text] = await Promise.all([this.readPart(scanId, audienceId, "html", record.htmlChunks), this.readPart(scanId, audienceId, "text", record.textChunks)]);
    return { record, html, text };
  }

  /** Every delivery record of a scan. */
  async list(scanId: string): Promise<DeliveryRecord[]> {
    const filter = odata`PartitionKey eq ${partition(scanId)} and RowKey ge ${"a|"} and RowKey lt ${"a}"}`;
    const records: DeliveryRecord[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) records.push(recordFromEntity(e));
    return records;
  }

  /** The attempts of one audience's digest, oldest first. */
  async attempts(scanId: string, audienceId: string): Promise<DeliveryAttempt[]> {
    const prefix = `t|${checkAudience(audienceId)}|`;
    const filter = odata`PartitionKey eq ${partition(scanId)} and RowKey ge ${prefix} and RowKey lt ${prefix.slice(0, -1) + "}"}`;
    const attempts: DeliveryAttempt[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      attempts.push({
        attempt: Number(e["attempt"]),
        at: String(e["at"]),
        outcome: e["outcome"] === "sent" ? "sent" : "failed",
        transport: String(e["transport"] ?? ""),
        ...(typeof e["error"] === "string" && { error: e["error"] }),
        ...(typeof e["messageId"] === "string" && { messageId: e["messageId"] }),
      });
    }
    return attempts;
  }

  /** Digests of any scan that were stored but not delivered (a failed send, or a crash between storing and sending). */
  async undelivered(): Promise<DeliveryRecord[]> {
    const filter = odata`kind eq ${"record"} and (status eq ${"failed"} or status eq ${"stored"})`;
    const records: DeliveryRecord[] = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) records.push(recordFromEntity(e));
    return records.sort((a, b) => a.scanStartedAt.localeCompare(b.scanStartedAt));
  }

  /** The numbers earlier digests of an audience gave, by scan id, for the trend. */
  async trend(audienceId: string, scanIds: readonly string[]): Promise<Map<string, TrendRecord>> {
    const records = await Promise.all(scanIds.map((id) => this.getRecord(id, audienceId)));
    const trend = new Map<string, TrendRecord>();
    for (const r of records) {
      if (!r) continue;
      trend.set(r.scanId, { scanId: r.scanId, scanStartedAt: r.scanStartedAt, open: r.open, ...(r.scorePercent !== undefined && { scorePercent: r.scorePercent }) });
    }
    return trend;
  }

  private async readPart(scanId: string, audienceId: string, kind: DigestPartKind, count: number): Promise<string> {
    const prefix = `c|${audienceId}|${kind}|`;
    const filter = odata`PartitionKey eq ${partition(scanId)} and RowKey ge ${prefix} and RowKey lt ${prefix.slice(0, -1) + "}"}`;
    const parts: Array<{ key: string; part: string }> = [];
    for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) parts.push({ key: e.rowKey!, part: String(e["part"] ?? "") });
    // A later, shorter rendering leaves stale chunks past its end; the record says how many belong to it.
    return parts
      .sort((a, b) => a.key.localeCompare(b.key))
      .slice(0, count)
      .map((p) => p.part)
      .join("");
  }
}

// ------------------------------------------------------------------ rows

function partition(scanId: string): string {
  if (!SCAN_ID.test(scanId)) throw new DigestError("invalid-scan-id", `"${scanId.slice(0, 80)}" is not a scan id`);
  return `scan|${scanId}`;
}

function checkAudience(id: string): string {
  if (!AUDIENCE_ID.test(id)) throw new DigestError("digest-not-found", `"${id.slice(0, 80)}" is not a digest audience`);
  return id;
}

function recordKey(audienceId: string): string {
  return `a|${audienceId}`;
}

function chunkKey(audienceId: string, kind: DigestPartKind, index: number): string {
  return `c|${audienceId}|${kind}|${String(index).padStart(4, "0")}`;
}

function chunk(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < text.length) {
    let end = Math.min(text.length, i + CHUNK_CHARS);
    // Never split a surrogate pair across rows: each half alone is not valid UTF-16 and the service would mangle it.
    if (end < text.length && /[\ud800-\udbff]/.test(text[end - 1]!)) end -= 1;
    parts.push(text.slice(i, end));
    i = end;
  }
  return parts.length > 0 ? parts : [""];
}

function recordEntity(r: DeliveryRecord): Record<string, unknown> {
  return {
    kind: "record",
    scanId: r.scanId,
    scanStartedAt: r.scanStartedAt,
    audienceId: r.audienceId,
    ...(r.subscriptions !== undefined && { subscriptions: JSON.stringify(r.subscriptions) }),
    recipients: JSON.stringify(r.recipients),
    subject: r.subject,
    sizeBytes: r.sizeBytes,
    renderedAt: r.renderedAt,
    status: r.status,
    attempts: r.attempts,
    htmlChunks: r.htmlChunks,
    textChunks: r.textChunks,
    open: r.open,
    ...(r.scorePercent !== undefined && { scorePercent: r.scorePercent }),
    ...(r.lastAttemptAt !== undefined && { lastAttemptAt: r.lastAttemptAt }),
    ...(r.lastError !== undefined && { lastError: r.lastError }),
    ...(r.sentAt !== undefined && { sentAt: r.sentAt }),
    ...(r.messageId !== undefined && { messageId: r.messageId }),
    ...(r.transport !== undefined && { transport: r.transport }),
  };
}

function recordFromEntity(e: Record<string, unknown>): DeliveryRecord {
  const str = (k: string) => (typeof e[k] === "string" ? (e[k] as string) : undefined);
  const status = str("status");
  return {
    scanId: str("scanId") ?? "",
    scanStartedAt: str("scanStartedAt") ?? "",
    audienceId: str("audienceId") ?? "",
    ...(str("subscriptions") !== undefined && { subscriptions: JSON.parse(str("subscriptions")!) as string[] }),
    recipients: JSON.parse(str("recipients") ?? "[]") as string[],
    subject: str("subject") ?? "",
    sizeBytes: Number(e["sizeBytes"] ?? 0),
    renderedAt: str("renderedAt") ?? "",
    status: (DELIVERY_STATUSES as readonly string[]).includes(status ?? "") ? (status as DeliveryStatus) : "stored",
    attempts: Number(e["attempts"] ?? 0),
    htmlChunks: Number(e["htmlChunks"] ?? 0),
    textChunks: Number(e["textChunks"] ?? 0),
    open: Number(e["open"] ?? 0),
    ...(typeof e["scorePercent"] === "number" && { scorePercent: e["scorePercent"] }),
    ...(str("lastAttemptAt") !== undefined && { lastAttemptAt: str("lastAttemptAt")! }),
    ...(str("lastError") !== undefined && { lastError: str("lastError")! }),
    ...(str("sentAt") !== undefined && { sentAt: str("sentAt")! }),
    ...(str("messageId") !== undefined && { messageId: str("messageId")! }),
    ...(str("transport") !== undefined && { transport: str("transport")! }),
  };
}

// ------------------------------------------------------------------ construction

export const DIGEST_TABLE_SUFFIX = "Digests";

export interface DigestArchiveOptions {
  /** Same prefix as the findings store's tables (default "wiscan"). */
  tablePrefix?: string;
  managedIdentityClientId?: string;
  credential?: TokenCredential;
  clientOptions?: TableServiceClientOptions;
  now?: () => Date;
}

/**
 * The archive on the findings storage account, reached the same way as the
 * store: a connection string (Azurite) or the account URL with a managed identity.
 */
export async function createDigestArchive(store: WiscanConfig["store"], options: DigestArchiveOptions = {}): Promise<DigestArchive> {
  const name = checkTablePrefix(options.tablePrefix ?? DEFAULT_TABLE_PREFIX) + DIGEST_TABLE_SUFFIX;
  let table: TableClient;
  try {
    table = tableClientFactory(store, options)(name);
  } catch (error) {
    if (error instanceof StoreNotConfiguredError) {
      throw new DigestError("not-configured", "No storage is configured for digests: set FINDINGS_STORAGE_ACCOUNT_URL or FINDINGS_STORAGE_CONNECTION_STRING");
    }
    throw error;
  }
  const archive = new DigestArchive(table, options.now);
  await archive.ensureTable();
  return archive;
}
