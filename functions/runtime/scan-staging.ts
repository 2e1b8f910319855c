/**
 * Where a running scan keeps what is too big for the orchestration history:
 * the inventory (thousands of clusters, identities and role assignments) and,
 * per cluster, what the fleet checks need at the end (which identities its
 * workloads use, app registrations it looked up). One table in the findings
 * storage account, one partition per scan, dropped when the scan ends.
 *
 * Each value is a document: gzipped JSON cut into binary parts (a property
 * holds at most 64 KiB), PARTS_PER_ROW parts to a row, and a header row
 * written last that says how many rows make the document. A reader that finds
 * no header sees no document, so a half-written one is never read.
 */
import { odata, TableClient, type TableServiceClientOptions } from "@azure/data-tables";
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from "@azure/identity";
import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import pLimit from "p-limit";
import type { WiscanConfig } from "../../shared/config/index.js";
import type { ClusterUsage } from "../../shared/checks/index.js";
import type { AppRegistration, Inventory, InventoryError } from "../../shared/inventory/model.js";

/** The inventory of a scan and the clusters it scans, in the order the orchestration addresses them. */
export interface StagedInventory {
  /** The start of the run that staged it: a restarted scan (same id) must not read an earlier run's inventory. */
  scanStartedAt: string;
  inventory: Inventory;
  clusterIds: string[];
}

/** What one cluster leaves behind for the fleet checks. */
export interface StagedClusterResult {
  clusterId: string;
  usage: ClusterUsage;
  applications: AppRegistration[];
  applicationErrors: InventoryError[];
}

export const STAGING_TABLE_SUFFIX = "ScanStaging";
// 48,000 bytes are 64,000 characters of base64 on the wire, under the 64 KiB a property may hold however it is measured.
const PART_BYTES = 48_000;
const PARTS_PER_ROW = 8;
const INVENTORY = "inventory";
const CLUSTER_PREFIX = "cluster|";
/** Between a document's name and its row number ("#" is one of the characters a key may not hold). */
const PART_SEPARATOR = "@";
const SCAN_ID = /^[A-Za-z0-9][A-Za-z0-9:._-]{0,199}$/;

interface HeaderRow {
  partitionKey: string;
  rowKey: string;
  rows: number;
  bytes: number;
  sha256: string;
}

export class ScanStaging {
  constructor(
    private readonly table: TableClient,
    private readonly concurrency = 8,
  ) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async putInventory(scanId: string, staged: StagedInventory): Promise<{ bytes: number }> {
    return this.putDocument(scanId, INVENTORY, staged);
  }

  async getInventory(scanId: string): Promise<StagedInventory | undefined> {
    return this.getDocument<StagedInventory>(scanId, INVENTORY);
  }

  async putClusterResult(scanId: string, result: StagedClusterResult): Promise<void> {
    await this.putDocument(scanId, clusterDocument(result.clusterId), result);
  }

  /** Every cluster result of a scan whose document is complete. */
  async clusterResults(scanId: string): Promise<StagedClusterResult[]> {
    const partition = partitionOf(scanId);
    const headers = new Map<string, HeaderRow>();
    const parts = new Map<string, Map<number, Record<string, unknown>>>();
    const { lower, upper } = prefixRange(CLUSTER_PREFIX);
    const filter = odata`PartitionKey eq ${partition} and RowKey ge ${lower} and RowKey lt ${upper}`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const key = row.rowKey!;
      const at = key.indexOf(PART_SEPARATOR);
      if (at < 0) headers.set(key, row as unknown as HeaderRow);
      else {
        const name = key.slice(0, at);
        const map = parts.get(name) ?? new Map<number, Record<string, unknown>>();
        map.set(Number(key.slice(at + 1)), row);
        parts.set(name, map);
      }
    }
    const results: StagedClusterResult[] = [];
    for (const [name, header] of headers) {
      const rows = parts.get(name);
      const value = rows && assemble<StagedClusterResult>(header, (i) => rows.get(i));
      if (value !== undefined) results.push(value);
    }
    return results;
  }

  /** Drops everything staged for a scan. Idempotent. */
  async deleteScan(scanId: string): Promise<number> {
    const partition = partitionOf(scanId);
    const keys: string[] = [];
    for await (const row of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${partition}`, select: ["RowKey"] } })) {
      keys.push(row.rowKey!);
    }
    const limit = pLimit(this.concurrency);
    await Promise.all(keys.map((key) => limit(() => this.table.deleteEntity(partition, key).catch(ignoreNotFound))));
    return keys.length;
  }

  private async putDocument(scanId: string, name: string, value: unknown): Promise<{ bytes: number }> {
    const partition = partitionOf(scanId);
    const bytes = gzipSync(Buffer.from(JSON.stringify(value), "utf8"));
    const rowBytes = PART_BYTES * PARTS_PER_ROW;
    const rows = Math.max(1, Math.ceil(bytes.length / rowBytes));
    const limit = pLimit(this.concurrency);
    await Promise.all(
      Array.from({ length: rows }, (_, r) =>
        limit(() => {
          const entity: Record<string, unknown> = { partitionKey: partition, rowKey: `${name}${PART_SEPARATOR}${String(r).padStart(5, "0")}` };
          const slice = bytes.subarray(r * rowBytes, (r + 1) * rowBytes);
          for (let p = 0; p * PART_BYTES < slice.length; p++) {
            entity[`d${p}`] = new Uint8Array(slice.subarray(p * PART_BYTES, (p + 1) * PART_BYTES));
          }
          return this.table.upsertEntity(entity as { partitionKey: string; rowKey: string }, "Replace");
        }),
      ),
    );
    const header: HeaderRow = { partitionKey: partition, rowKey: name, rows, bytes: bytes.length, sha256: sha256(bytes) };
    await this.table.upsertEntity(header, "Replace");
    return { bytes: bytes.length };
  }

  private async getDocument<T>(scanId: string, name: string): Promise<T | undefined> {
    const partition = partitionOf(scanId);
    let header: HeaderRow;
    try {
      header = (await this.table.getEntity<Record<string, unknown>>(partition, name)) as unknown as HeaderRow;
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
    const { lower, upper } = prefixRange(`${name}${PART_SEPARATOR}`);
    const rows = new Map<number, Record<string, unknown>>();
    const filter = odata`PartitionKey eq ${partition} and RowKey ge ${lower} and RowKey lt ${upper}`;
    for await (const row of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      rows.set(Number(row.rowKey!.slice(name.length + 1)), row);
    }
    return assemble<T>(header, (i) => rows.get(i));
  }
}

/**
 * The staging table named by the configuration, in the findings storage
 * account: the scanner's identity can already write there, so no new role.
 */
export async function createScanStaging(
  store: WiscanConfig["store"],
  options: { tablePrefix?: string; managedIdentityClientId?: string; credential?: TokenCredential; clientOptions?: TableServiceClientOptions } = {},
): Promise<ScanStaging> {
  const name = `${options.tablePrefix ?? "wiscan"}${STAGING_TABLE_SUFFIX}`;
  let table: TableClient;
  switch (store.kind) {
    case "connection-string":
      table = TableClient.fromConnectionString(store.connectionString, name, {
        allowInsecureConnection: /^DefaultEndpointsProtocol=http;|UseDevelopmentStorage=true/i.test(store.connectionString),
        ...options.clientOptions,
      });
      break;
    case "account-url": {
      const credential =
        options.credential ??
        (options.managedIdentityClientId !== undefined ? new ManagedIdentityCredential({ clientId: options.managedIdentityClientId }) : new DefaultAzureCredential());
      table = new TableClient(store.accountUrl, name, credential, options.clientOptions ?? {});
      break;
    }
    case "none":
      throw new Error("No findings store is configured: the Durable scan stages its inventory there (set FINDINGS_STORAGE_ACCOUNT_URL or FINDINGS_STORAGE_CONNECTION_STRING)");
    default:
      throw new Error(`unknown store kind ${(store as { kind: string }).kind}`);
  }
  const staging = new ScanStaging(table);
  await staging.ensureTable();
  return staging;
}

function assemble<T>(header: HeaderRow, row: (index: number) => Record<string, unknown> | undefined): T | undefined {
  const chunks: Buffer[] = [];
  for (let r = 0; r < Number(header.rows); r++) {
    const entity = row(r);
    if (entity === undefined) return undefined;
    for (let p = 0; p < PARTS_PER_ROW; p++) {
      const part = entity[`d${p}`];
      if (part === undefined) break;
      chunks.push(toBuffer(part));
    }
  }
  const bytes = Buffer.concat(chunks).subarray(0, Number(header.bytes));
  // A retried write of a different size can leave stale rows behind the header's count; the hash proves what was read.
  if (bytes.length !== Number(header.bytes) || sha256(bytes) !== header.sha256) return undefined;
  return JSON.parse(gunzipSync(bytes).toString("utf8")) as T;
}

function toBuffer(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (typeof value === "string") return Buffer.from(value, "base64");
  if (typeof value === "object" && value !== null && "value" in value) return toBuffer((value as { value: unknown }).value);
  throw new Error("staged document part is not binary");
}

function clusterDocument(clusterId: string): string {
  // Cluster ids hold "/", which a row key may not: a hash names the document instead.
  return `${CLUSTER_PREFIX}${createHash("sha256").update(clusterId.toLowerCase()).digest("hex").slice(0, 40)}`;
}

function partitionOf(scanId: string): string {
  if (!SCAN_ID.test(scanId)) throw new RangeError(`scan id "${scanId.slice(0, 60)}" cannot name a staging partition`);
  return scanId;
}

function prefixRange(prefix: string): { lower: string; upper: string } {
  const last = prefix.charCodeAt(prefix.length - 1);
  return { lower: prefix, upper: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function statusOf(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "statusCode" in error ? Number((error as { statusCode: unknown }).statusCode) : undefined;
}

function ignoreNotFound(error: unknown): void {
  if (statusOf(error) !== 404) throw error;
}
