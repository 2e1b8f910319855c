import type { Finding } from "../findings/model.js";
import { findingsCsv, type StoredFinding } from "../store/index.js";

/**
 * A scan's findings as CSV, in the same columns as the findings API's CSV so that
 * one spreadsheet template reads both. A finding of a scan that was not stored
 * is open, first seen when the scan started.
 */
export function findingsToCsv(findings: readonly Finding[], scan: { id: string; startedAt: string }): string {
  return findingsCsv(
    findings.map(
      (f): StoredFinding => ({
        ...f,
        status: "open",
        firstSeenAt: scan.startedAt,
        firstSeenScanId: scan.id,
        lastSeenAt: scan.startedAt,
        lastSeenScanId: scan.id,
        openedAt: scan.startedAt,
        openedScanId: scan.id,
        changedAt: scan.startedAt,
      }),
    ),
  );
}
