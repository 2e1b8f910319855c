/**
 * Table Storage size limits, applied before anything is sent so the service
 * never rejects a finding: a string property holds at most 64 KiB (32 Ki
 * UTF-16 units), an entity at most 1 MiB, a transaction at most 4 MiB.
 * Long values are cut with a visible marker rather than dropped.
 */
import type { Evidence } from "../findings/model.js";

/** Longest string property we write, in UTF-16 units (64 KiB = 32,768 units; the rest is headroom). */
export const MAX_STRING_PROPERTY = 30_000;
/** Budget for one evidence value before the whole-object budget applies. */
export const MAX_EVIDENCE_VALUE = 4_000;
/** Budget for short text fields (title, remediation, names). */
export const MAX_TEXT = 8_000;

export const TRUNCATION_MARKER = "…[truncated by wiscan]";

/** Cuts text to at most max UTF-16 units, ending in the marker, without splitting a surrogate pair. */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, Math.max(0, max - TRUNCATION_MARKER.length));
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return head + TRUNCATION_MARKER;
}

export function isTruncated(text: string): boolean {
  return text.endsWith(TRUNCATION_MARKER);
}

/** Key under which fitEvidence says how many values it had to leave out. */
export const OMITTED_EVIDENCE_KEY = "wiscan.omitted";

/**
 * Evidence serialized as JSON within MAX_STRING_PROPERTY: long values are
 * truncated one by one, and when there are too many values the last ones are
 * left out and counted under OMITTED_EVIDENCE_KEY. The result is always valid JSON.
 */
export function evidenceJson(evidence: Evidence, max = MAX_STRING_PROPERTY): string {
  const kept: Record<string, string | number | boolean> = {};
  const entries = Object.entries(evidence);
  // Room for the omission note, so adding it can never overflow the budget.
  const budget = max - 64;
  let length = 2;
  let omitted = 0;
  for (const [key, value] of entries) {
    const fitted = typeof value === "string" ? truncateText(value, MAX_EVIDENCE_VALUE) : value;
    const size = JSON.stringify(truncateText(key, 200)).length + JSON.stringify(fitted).length + 2;
    if (omitted > 0 || length + size > budget) {
      omitted++;
      continue;
    }
    kept[truncateText(key, 200)] = fitted;
    length += size;
  }
  if (omitted > 0) kept[OMITTED_EVIDENCE_KEY] = `${omitted} more evidence value(s) left out to fit the storage limit`;
  return JSON.stringify(kept);
}

/** Bytes of an entity as sent, close enough to keep a transaction under the 4 MiB payload limit. */
export function entityBytes(entity: object): number {
  return Buffer.byteLength(JSON.stringify(entity), "utf8");
}
