/**
 * The overview's figures for the latest scan: from the counts the store keeps
 * per scope (a handful of rows), or, for a store saved before counts were
 * kept, from every open and suppressed finding (seconds with tens of
 * thousands; the page says so) until the next scan completes. Kept per
 * worker for a minute, or until a newer scan is stored or a suppression
 * changes through this worker; the page says how old its figures are.
 */
import { gatherDigestData, TREND_SCANS } from "../../shared/digest/index.js";
import { buildOverviewFigures, buildOverviewFiguresFromCounts, type OverviewFigures } from "../../shared/console/overview-view.js";
import type { FindingsStore, ScanSummary } from "../../shared/store/index.js";

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
  const recent = (await store.listScans({ pageSize: TREND_SCANS })).items;
  const latest = recent[0];
  if (latest === undefined) return buildOverviewFigures(undefined, undefined);
  const fresh = kept !== undefined && kept.store === store && kept.scanId === latest.id && now.getTime() - kept.at.getTime() < OVERVIEW_MAX_AGE_MS;
  if (!fresh) {
    const entry: Kept = { store, scanId: latest.id, at: now, figures: readFigures(store, latest, recent.slice(1).reverse(), now) };
    kept = entry;
    // A failed read is not kept: the next visit reads again.
    entry.figures.catch(() => {
      if (kept === entry) kept = undefined;
    });
  }
  return kept!.figures;
}

async function readFigures(store: FindingsStore, latest: ScanSummary, earlierScans: ScanSummary[], now: Date): Promise<OverviewFigures> {
  const [details, counts] = await Promise.all([store.getScan(latest.id), store.findingCounts()]);
  if (counts === undefined || details === undefined) return buildOverviewFigures(await gatherDigestData(store, latest.id), now);
  return buildOverviewFiguresFromCounts({ scan: latest, clusters: details.clusters, earlierScans }, counts.groups, now);
}

/** A suppression changed here: the next overview reads the store again. */
export function forgetOverview(): void {
  kept = undefined;
}
