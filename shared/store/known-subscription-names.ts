/**
 * The subscriptions' display names the recent scans kept (scan.subscriptionNames),
 * for pages and exports of stored findings, which span scans: a scan of one
 * cluster names only its own subscription, so the last few scans are merged,
 * the newer name winning.
 */
import type { FindingsStore } from "./store.js";

/** Scans whose names are merged: the overview's trend length, one query. */
const SCANS_MERGED = 8;

export async function knownSubscriptionNames(store: Pick<FindingsStore, "listScans">): Promise<Record<string, string>> {
  const newestFirst = (await store.listScans({ pageSize: SCANS_MERGED })).items;
  // No prototype: a stored key is data, and "__proto__" must stay a key like any other.
  const names = Object.create(null) as Record<string, string>;
  for (const scan of [...newestFirst].reverse()) {
    for (const [id, name] of Object.entries(scan.subscriptionNames ?? {})) names[id] = name;
  }
  return names;
}
