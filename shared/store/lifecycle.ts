/**
 * How a scan moves a finding through its lifecycle. Every output is computed
 * from the stored row and the scan alone (never the wall clock), so applying
 * the same scan twice gives the same row and the same history event: that is
 * what makes a re-save or a retry after a crash idempotent.
 */
import type { Finding } from "../findings/model.js";
import type { FindingStatus, HistoryEvent, ScanRef, StoredFinding, Suppression } from "./model.js";

export interface Observation {
  /** The row to store, or undefined when the stored row is newer than this scan and must stay. */
  next: StoredFinding | undefined;
  event: HistoryEvent;
  status: FindingStatus;
}

/** The instant a scan started, in one canonical form (keys and comparisons depend on it). */
export function scanInstant(scan: ScanRef): string {
  const ms = Date.parse(scan.startedAt);
  if (Number.isNaN(ms)) throw new RangeError(`scan ${scan.id} has an invalid startedAt: ${scan.startedAt}`);
  return new Date(ms).toISOString();
}

/** A finding seen by a scan, given what was stored before (if anything) and the suppression that applies. */
export function observe(
  previous: StoredFinding | undefined,
  finding: Finding,
  scan: ScanRef,
  suppression: Suppression | undefined,
  /** False when the scan did not read what the severity depends on: an open finding keeps its stored severity. */
  grades = true,
): Observation {
  const at = scanInstant(scan);
  const status: FindingStatus = suppression ? "suppressed" : "open";
  if (previous && previous.lastSeenScanId !== scan.id && previous.lastSeenAt > at) {
    // An older scan saved late: it still belongs in the history, but must not roll the state back.
    return { next: undefined, event: "seen", status };
  }

  const lifecycle =
    previous === undefined
      ? { firstSeenAt: at, firstSeenScanId: scan.id, openedAt: at, openedScanId: scan.id, changedAt: at }
      : previous.status === "resolved" && previous.lastSeenScanId !== scan.id
        ? { ...firstSeen(previous), openedAt: at, openedScanId: scan.id, changedAt: at }
        : { ...firstSeen(previous), openedAt: previous.openedAt, openedScanId: previous.openedScanId, changedAt: previous.changedAt };

  const keepsSeverity = !grades && previous !== undefined && previous.status !== "resolved";
  const next: StoredFinding = {
    ...finding,
    ...(keepsSeverity && { severity: previous.severity }),
    status,
    ...lifecycle,
    lastSeenAt: at,
    lastSeenScanId: scan.id,
    ...(suppression && {
      suppression: { id: suppression.id, reason: suppression.reason, createdBy: suppression.createdBy, expiresAt: suppression.expiresAt },
    }),
  };
  return { next, event: sightingEvent(next, scan), status };
}

function firstSeen(f: StoredFinding): { firstSeenAt: string; firstSeenScanId: string } {
  return { firstSeenAt: f.firstSeenAt, firstSeenScanId: f.firstSeenScanId };
}

function sightingEvent(f: StoredFinding, scan: ScanRef): HistoryEvent {
  if (f.firstSeenScanId === scan.id) return "new";
  if (f.openedScanId === scan.id) return "reopened";
  return "seen";
}

/**
 * A finding absent from a complete scan of its scope: resolved, or undefined
 * when there is nothing to change (already resolved, seen by this scan, or
 * last seen by a newer scan).
 */
export function resolveAbsent(previous: StoredFinding, scan: ScanRef): StoredFinding | undefined {
  const at = scanInstant(scan);
  if (previous.status === "resolved" || previous.lastSeenScanId === scan.id || previous.lastSeenAt > at) return undefined;
  const { suppression: _dropped, ...rest } = previous;
  return { ...rest, status: "resolved", resolvedAt: at, resolvedScanId: scan.id, changedAt: at };
}

/** The status a reader sees now: a suppression past its expiry no longer applies. */
export function effectiveStatus(f: Pick<StoredFinding, "status" | "suppression">, now: Date): FindingStatus {
  if (f.status === "suppressed" && (!f.suppression || Date.parse(f.suppression.expiresAt) <= now.getTime())) return "open";
  return f.status;
}

/** The same finding with a different suppression (or none), as a suppression is created, deleted or expires. */
export function withSuppression(f: StoredFinding, suppression: Suppression | undefined): StoredFinding {
  const { suppression: _old, ...rest } = f;
  if (rest.status === "resolved") return rest;
  if (!suppression) return { ...rest, status: "open" };
  return {
    ...rest,
    status: "suppressed",
    suppression: { id: suppression.id, reason: suppression.reason, createdBy: suppression.createdBy, expiresAt: suppression.expiresAt },
  };
}
