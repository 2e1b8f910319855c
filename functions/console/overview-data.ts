/**
 * The overview's figures: built from the digest's data for the latest scan,
 * which reads every open and suppressed finding (seconds with tens of
 * thousands of them: bench/store.ts). Kept per worker for a minute, or until
 * a newer scan is stored or a suppression changes through this worker, so
 * the landing page is not a full read on every visit; the page says how old
 * its figures are.
 */
import { gatherDigestData } from "../../shared/digest/index.js";
import { buildOverviewFigures, type OverviewFigures } from "../../shared/console/overview-view.js";
import type { FindingsStore } from "../../shared/store/index.js";

export const OVERVIEW_MAX_AGE_MS = 60_000;

interface Kept {
  store: FindingsStore;
  scanId: string;
  at: Date;
  figures: Promise<OverviewFigures>;
}

let kept: Kept | undefined;

/** The figures of the latest scan (those of an empty store when none is stored). */
export async function overviewFigures(store: FindingsStore, now: Date = new Date()): Promise<OverviewFigures> {
  const latest = (await store.listScans({ pageSize: 1 })).items[0];
  if (latest === undefined) return buildOverviewFigures(undefined, undefined);
  const fresh = kept !== undefined && kept.store === store && kept.scanId === latest.id && now.getTime() - kept.at.getTime() < OVERVIEW_MAX_AGE_MS;
  if (!fresh) {
    const entry: Kept = { store, scanId: latest.id, at: now, figures: gatherDigestData(store, latest.id).then((data) => buildOverviewFigures(data, now)) };
    kept = entry;
    // A failed read is not kept: the next visit reads again.
    entry.figures.catch(() => {
      if (kept === entry) kept = undefined;
    });
  }
  return kept!.figures;
}

/** A suppression changed here: the next overview reads the store again. */
export function forgetOverview(): void {
  kept = undefined;
}
