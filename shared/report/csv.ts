/**
 * Findings as CSV (RFC 4180) for spreadsheets and ticket imports, one column
 * set for the CLI, `wiscan findings` and GET /api/findings?format=csv, so one
 * spreadsheet template reads them all. Finding text comes from cluster objects
 * that anyone with edit rights can name, so every cell is made terminal-safe
 * (`cat findings.csv` is a common first look) and guarded against formulas.
 */
import { statusOf, type ReportedFinding } from "./model.js";
import { commandsOf } from "./remediation-output.js";
import { terminalSafe } from "./terminal-safe.js";

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
  "bashCommand",
  "powershellCommand",
  "docsUrl",
  // Appended, not beside subscriptionId: templates that read columns by position keep working.
  "subscriptionName",
] as const;
type CsvColumn = (typeof CSV_COLUMNS)[number];

/** Display names by lower-cased subscription id, as a scan keeps them (scan.subscriptionNames). */
export type SubscriptionNames = Readonly<Record<string, string>>;

/** The display name of a subscription, when one is known; own keys only (a stored key is data, never a prototype's). */
export function subscriptionNameOf(subscriptionId: string | undefined, names: SubscriptionNames): string | undefined {
  if (subscriptionId === undefined) return undefined;
  const key = subscriptionId.toLowerCase();
  return Object.hasOwn(names, key) ? names[key] : undefined;
}

function cellValue(f: ReportedFinding, column: CsvColumn, names: SubscriptionNames): string {
  const r = f.resource;
  const suppressed = statusOf(f) === "suppressed";
  switch (column) {
    case "id": return f.id;
    case "status": return statusOf(f);
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
    // A scan's own findings have no stored lifecycle: empty, never invented.
    case "firstSeenAt": return f.firstSeenAt ?? "";
    case "lastSeenAt": return f.lastSeenAt ?? "";
    case "openedAt": return f.openedAt ?? "";
    case "resolvedAt": return f.resolvedAt ?? "";
    case "suppressedUntil": return suppressed ? (f.suppression?.expiresAt ?? "") : "";
    case "suppressionReason": return suppressed ? (f.suppression?.reason ?? "") : "";
    case "remediation": return f.remediation.text;
    case "bashCommand": return f.remediation.command ?? "";
    // Empty with a bash command means none could be written safely (outputs.md, "Commands and shells").
    case "powershellCommand": return commandsOf(f.remediation)?.powershell ?? "";
    case "docsUrl": return f.docsUrl;
    // Empty where no stored scan named it; the id column always holds the id.
    case "subscriptionName": return subscriptionNameOf(r.subscriptionId, names) ?? "";
  }
}

/**
 * A spreadsheet runs a cell as a formula when it starts with = + - @ (or their
 * full-width forms, which Excel folds), also after leading blanks, tabs or
 * line ends, and, in locales whose list separator is ";", after a ";" or ","
 * that splits the cell there. Such cells get a leading apostrophe (OWASP CSV
 * injection), which spreadsheets show as text.
 */
const FORMULA = /^[\s;,]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r\n]/;
/** Quoted: the separators of both comma and semicolon locales, quotes, and line ends or tabs. */
const NEEDS_QUOTES = /[",;\r\n\t]/;

export function csvCell(value: string): string {
  const printable = terminalSafe(value, { newlines: true, tabs: true });
  const safe = FORMULA.test(printable) ? `'${printable}` : printable;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(",") + "\r\n";
}

export function csvRows(findings: readonly ReportedFinding[], names: SubscriptionNames = {}): string {
  return findings.map((f) => CSV_COLUMNS.map((c) => csvCell(cellValue(f, c, names))).join(",") + "\r\n").join("");
}

/** A whole document: header line, then one line per finding, CRLF line ends. */
export function findingsCsv(findings: readonly ReportedFinding[], names: SubscriptionNames = {}): string {
  return csvHeader() + csvRows(findings, names);
}
