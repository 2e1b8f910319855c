/**
 * Table Storage keys. The service refuses / \ # ? and control characters in
 * PartitionKey and RowKey and caps each key at 1 KiB; ARM ids are full of
 * slashes and Kubernetes names are ours to trust only so far. Keys are
 * therefore escaped with "~XX" (hex of the character; "~" itself is escaped
 * too so decoding is unambiguous), and a key longer than MAX_KEY_LENGTH keeps
 * its readable head and ends in a hash of the whole, so it stays unique.
 * "%" is escaped as well: some Table endpoints decode it twice in point URLs.
 */
import { createHash } from "node:crypto";

/** Characters (UTF-16 units): 400 units are at most 800 bytes, under the 1 KiB limit however it is counted. */
export const MAX_KEY_LENGTH = 400;

// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f/\\#?%~]/g;

/** Longest encoded part for the pieces of composite keys, so that every composite stays under MAX_KEY_LENGTH. */
export const KEY_PART = { findingId: 250, scanId: 100, checkId: 100, resourceId: 390 } as const;

/** Escapes a value for use as (part of) a PartitionKey or RowKey, in at most max characters. */
export function encodeKey(value: string, max: number = MAX_KEY_LENGTH): string {
  const escaped = value.replace(FORBIDDEN, (c) => `~${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  if (escaped.length <= max) return escaped;
  const hash = createHash("sha256").update(value).digest("hex").slice(0, 32);
  let head = escaped.slice(0, Math.max(0, max - hash.length - 1));
  // Never split an escape sequence or a surrogate pair: the head must stay a valid, decodable string.
  const tilde = head.lastIndexOf("~");
  if (tilde >= head.length - 2) head = head.slice(0, tilde);
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${head}!${hash}`;
}

/** The inverse of encodeKey for keys short enough not to be hashed. */
export function decodeKey(key: string): string {
  return key.replace(/~([0-9a-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** True when a string is acceptable to the service as a key. */
export function isValidKey(key: string): boolean {
  // eslint-disable-next-line no-control-regex
  return key.length <= MAX_KEY_LENGTH && !/[\u0000-\u001f\u007f-\u009f/\\#?]/.test(key);
}

/**
 * Bounds of a key range holding every key that starts with prefix:
 * `key ge lower and key lt upper`.
 */
export function prefixRange(prefix: string): { lower: string; upper: string } {
  const last = prefix.charCodeAt(prefix.length - 1);
  return { lower: prefix, upper: prefix.slice(0, -1) + String.fromCharCode(last + 1) };
}

const MAX_TIME = 9_999_999_999_999;

/** A fixed-width key that sorts newest first: listing a partition gives the latest rows on the first page. */
export function newestFirstKey(at: Date): string {
  return String(MAX_TIME - at.getTime()).padStart(13, "0");
}

/** Number of history partitions: enough to spread load, few enough that one cluster's rows still fill transactions (250 findings: about 16 rows per transaction). */
export const HISTORY_BUCKETS = 16;

/**
 * The history partition of a finding. Findings are spread over a fixed set of
 * partitions so a scan's history rows can be written in transactions of up to
 * 100, while one finding's history is still a single-partition range query.
 */
export function historyBucket(findingId: string): string {
  const n = createHash("sha256").update(findingId).digest().readUInt16BE(0) % HISTORY_BUCKETS;
  return `h${String(n).padStart(2, "0")}`;
}
