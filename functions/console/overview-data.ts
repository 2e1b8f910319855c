/**
 * What the overview is built from: the digest's data for the latest scan,
 * which reads every open and suppressed finding (seconds with tens of
 * thousands of them: bench/store.ts). Kept per worker for a minute, or until
 * a newer scan is stored or a suppression changes through this worker, so
 * the landing page is not a full read on every visit; the page says how old
 * its figures are.
 */
import { gatherDigestData, type FleetDigestData } from "../../shared/digest/index.js";
import type { FindingsStore } from "../../shared/store/index.js";

export const OVERVIEW_MAX_AGE_MS = 60_000;

interface Kept {
  store: FindingsStore;
  scanId: string;
  at: Date;
  data: Promise<FleetDigestData>;
}

let kept: Kept | undefined;

/** The latest scan's data and when it was read; undefined when no scan is stored. */
export async function overviewData(store: FindingsStore, now: Date = new Date()): Promise<{ data: FleetDigestData; asOf: Date } | undefined> {
  const latest = (await store.listScans({ pageSize: 1 })).items[0];
  if (latest === undefined) return undefined;
  const fresh = kept !== undefined && kept.store === store && kept.scanId === latest.id && now.getTime() - kept.at.getTime() < OVERVIEW_MAX_AGE_MS;
  if (!fresh) {
    const entry: Kept = { store, scanId: latest.id, at: now, data: gatherDigestData(store, latest.id) };
    kept = entry;
    // A failed read is not kept: the next visit reads again.
    entry.data.catch(() => {
      if (kept === entry) kept = undefined;
    });
  }
  const entry = kept!;
  return { data: await entry.data, asOf: entry.at };
}

/** A suppression changed here: the next overview reads the store again. */
export function forgetOverview(): void {
  kept = undefined;
}
