/**
 * Findings as CSV (RFC 4180) for spreadsheets and ticket imports. Cells that a
 * spreadsheet would run as a formula are prefixed with an apostrophe: finding
 * text comes from cluster objects that anyone with edit rights can name.
 */
import type { StoredFinding } from "./model.js";

export const CSV_COLUMNS = [
  "id",
  "status",
  "severity",
  "checkId",
  "title",
  "subscriptionId",
  "resourceGroup",
  "cluster",
  "namespace",
  "kind",
  "name",
  "identityClientId",
  "firstSeenAt",
  "lastSeenAt",
  "openedAt",
  "resolvedAt",
  "suppressedUntil",
  "suppressionReason",
  "remediation",
  "command",
  "docsUrl",
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

function cellValue(f: StoredFinding, column: CsvColumn): string {
  const r = f.resource;
  switch (column) {
    case "id": return f.id;
    case "status": return f.status;
    case "severity": return f.severity;
    case "checkId": return f.checkId;
    case "title": return f.title;
    case "subscriptionId": return r.subscriptionId ?? "";
    case "resourceGroup": return r.resourceGroup ?? "";
    case "cluster": return r.cluster ?? "";
    case "namespace": return r.namespace ?? "";
    case "kind": return r.kind;
    case "name": return r.name;
    case "identityClientId": return r.identityClientId ?? "";
    case "firstSeenAt": return f.firstSeenAt;
    case "lastSeenAt": return f.lastSeenAt;
    case "openedAt": return f.openedAt;
    case "resolvedAt": return f.resolvedAt ?? "";
    case "suppressedUntil": return f.status === "suppressed" ? (f.suppression?.expiresAt ?? "") : "";
    case "suppressionReason": return f.status === "suppressed" ? (f.suppression?.reason ?? "") : "";
    case "remediation": return f.remediation.text;
    case "command": return f.remediation.command ?? "";
    case "docsUrl": return f.docsUrl;
  }
}

export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(",") + "\r\n";
}

export function csvRows(findings: readonly StoredFinding[]): string {
  return findings.map((f) => CSV_COLUMNS.map((c) => csvCell(cellValue(f, c))).join(",") + "\r\n").join("");
}

/** A whole document: header line, then one line per finding, CRLF line ends. */
export function findingsCsv(findings: readonly StoredFinding[]): string {
  return csvHeader() + csvRows(findings);
}
