/**
 * Reads what a digest needs from the findings store, once per scan; each
 * audience's digest is then a filtered view of it (forAudience).
 */
import { collect } from "../collections.js";
import type { FindingsStore } from "../store/index.js";
import type { ScanSummary, StoredFinding } from "../store/model.js";
import { expiringWithin } from "../suppressions/index.js";
import { DigestError } from "./errors.js";
import type { DigestAudience, DigestData, TrendRecord } from "./model.js";

/** The store queries the digest uses. */
export type DigestSource = Pick<FindingsStore, "getScan" | "listScans" | "allFindings" | "listSuppressions">;

/** Scans in the trend, this one included. */
export const TREND_SCANS = 8;

export type FleetDigestData = Omit<DigestData, "trend">;

export async function gatherDigestData(store: DigestSource, scanId: string): Promise<FleetDigestData> {
  const details = await store.getScan(scanId);
  if (!details?.scan) throw new DigestError("scan-not-found", `scan ${scanId.slice(0, 80)} is unknown or has not finished`);
  const earlier = await scansBefore(store, scanId, TREND_SCANS - 1);
  const previousScan = earlier[earlier.length - 1];

  const [open, suppressed, resolved, suppressions] = await Promise.all([
    collect(store.allFindings({ status: "open" })),
    collect(store.allFindings({ status: "suppressed" })),
    previousScan === undefined ? Promise.resolve([]) : collect(store.allFindings({ status: "resolved", since: new Date(previousScan.startedAt) })),
    store.listSuppressions(),
  ]);
  // Dated by the scan, not the clock: a digest rebuilt or resent later lists the same suppressions.
  const asOf = new Date(details.scan.finishedAt ?? details.scan.startedAt);
  return {
    scan: details.scan,
    clusters: details.clusters,
    ...(previousScan !== undefined && { previousScan }),
    earlierScans: earlier,
    open,
    suppressed,
    expiringSuppressions: expiringWithin(suppressions, asOf),
    // "since" includes what the previous scan itself resolved; that was in the previous digest.
    resolved: resolved.filter((f) => f.resolvedAt !== undefined && f.resolvedAt > previousScan!.startedAt),
  };
}

/** The part of the fleet's data an audience sees: its subscriptions only (findings without one are fleet-wide). */
export function forAudience(data: FleetDigestData, audience: DigestAudience, trend: ReadonlyMap<string, TrendRecord>): DigestData {
  if (audience.subscriptions === undefined) return { ...data, trend };
  const subs = new Set(audience.subscriptions.map((s) => s.toLowerCase()));
  const mine = (f: StoredFinding) => f.resource.subscriptionId !== undefined && subs.has(f.resource.subscriptionId.toLowerCase());
  return {
    ...data,
    clusters: data.clusters.filter((h) => subs.has(h.subscriptionId.toLowerCase())),
    open: data.open.filter(mine),
    suppressed: data.suppressed.filter(mine),
    // A team sees the expiring suppressions that hide its findings, or name one of its subscriptions.
    expiringSuppressions: (data.expiringSuppressions ?? []).filter(
      (s) => data.suppressed.some((f) => f.suppression?.id === s.id && mine(f)) || (s.pattern.subscription !== undefined && subs.has(s.pattern.subscription.toLowerCase())),
    ),
    resolved: data.resolved.filter(mine),
    trend,
  };
}

/** Up to `count` finished scans that started before this one, oldest first. */
async function scansBefore(store: DigestSource, scanId: string, count: number): Promise<ScanSummary[]> {
  const before: ScanSummary[] = [];
  let found = false;
  let token: string | undefined;
  do {
    const page = await store.listScans({ pageSize: 50, ...(token !== undefined && { continuationToken: token }) });
    for (const scan of page.items) {
      if (found) before.push(scan);
      else if (scan.id === scanId) found = true;
      if (before.length >= count) return before.reverse();
    }
    token = page.continuationToken;
  } while (token !== undefined);
  return before.reverse();
}

