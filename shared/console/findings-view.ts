/**
 * The findings page's view: the filter form (every filter of GET
 * /api/findings), one page of rows, the export links of the same filter, and
 * the pager. Sorting is within the page: Table Storage returns rows in key
 * order and cannot sort a query (docs/console.md, "Findings").
 */
import { CHECK_IDS, SEVERITIES } from "../findings/model.js";
import { compareFindings, findingLocation } from "../report/index.js";
import { STATUS_FILTERS, type StoredFinding } from "../store/model.js";
import { clip } from "../digest/text-bounds.js";
import { formatInstant, nameWithId, SEVERITY_LABELS, type SubscriptionNamer } from "../views/index.js";
import { InvalidParameterError } from "../store/index.js";
import type { PageChrome } from "./chrome.js";
import { CONSOLE_LINKS, CONSOLE_PREFIX } from "./paths.js";

export const SORTS = {
  severity: { label: "severity", compare: compareFindings },
  "last-seen": { label: "last seen, newest first", compare: (a: StoredFinding, b: StoredFinding) => b.lastSeenAt.localeCompare(a.lastSeenAt) || compareFindings(a, b) },
  opened: { label: "opened, newest first", compare: (a: StoredFinding, b: StoredFinding) => b.openedAt.localeCompare(a.openedAt) || compareFindings(a, b) },
  cluster: {
    label: "cluster",
    compare: (a: StoredFinding, b: StoredFinding) => (a.resource.cluster ?? "").localeCompare(b.resource.cluster ?? "") || compareFindings(a, b),
  },
  check: { label: "check", compare: (a: StoredFinding, b: StoredFinding) => a.checkId.localeCompare(b.checkId) || compareFindings(a, b) },
} as const;
export type SortKey = keyof typeof SORTS;
export const SORT_KEYS = Object.keys(SORTS) as SortKey[];
export const PAGE_SIZES = ["25", "50", "100", "250"] as const;
export const DEFAULT_CONSOLE_PAGE_SIZE = "50";

/** The console's query parameters: the API's filters and paging, plus the sort. */
export const CONSOLE_SORT_PARAMETER = "sort";

export function parseSort(value: string | undefined): SortKey {
  if (value === undefined) return "severity";
  if (!(SORT_KEYS as string[]).includes(value)) throw new InvalidParameterError(CONSOLE_SORT_PARAMETER, `must be one of ${SORT_KEYS.join(", ")}`);
  return value as SortKey;
}

export interface FindingRowView {
  severity: string;
  severityLabel: string;
  title: string;
  href: string;
  checkId: string;
  where: string;
  /** The subscription's display name with its id, or the id alone. */
  subscription: string;
  status: string;
  lastSeen: string;
}

interface Option {
  value: string;
  label: string;
  selected: boolean;
}

export interface FindingsPageView {
  page: PageChrome;
  action: string;
  selects: Array<{ name: string; label: string; options: Option[] }>;
  inputs: Array<{ name: string; label: string; type: string; value: string; hint: string }>;
  exports: { csv: string; sarif: string; ocsf: string };
  summary: string;
  sortLabel: string;
  rows: FindingRowView[];
  firstPage: string | undefined;
  nextPage: string | undefined;
}

export interface FindingsPageInput {
  /** The filters as given (empty ones dropped), for the form, the exports and the pager. */
  given: Readonly<Record<string, string>>;
  sort: SortKey;
  items: readonly StoredFinding[];
  continuationToken: string | undefined;
  /** Subscription display names the recent scans kept (knownSubscriptionNames). */
  subscriptionNames: Readonly<Record<string, string>>;
}

export function buildFindingsPageView(page: PageChrome, input: FindingsPageInput): FindingsPageView {
  const { given } = input;
  const filters = Object.fromEntries(Object.entries(given).filter(([k]) => k !== "continuationToken" && k !== CONSOLE_SORT_PARAMETER && k !== "pageSize"));
  const subscription = nameWithId(input.subscriptionNames);
  const rows = [...input.items].sort(SORTS[input.sort].compare).map((f) => rowView(f, subscription));
  const query = (extra: Record<string, string>) => CONSOLE_LINKS.list({ ...without(given, "continuationToken"), ...extra });
  const exportLink = (format: string) => `/api/findings?${new URLSearchParams({ ...filters, pageSize: "1000", format }).toString()}`;
  const status = given["status"] ?? "open";
  return {
    page,
    action: `${CONSOLE_PREFIX}/findings`,
    selects: [
      select("status", "Status", given["status"] ?? "open", STATUS_FILTERS.map((s) => [s, s])),
      select("severity", "Severity", given["severity"] ?? "", [["", "any"], ...SEVERITIES.map((s) => [s, SEVERITY_LABELS[s]] as const)]),
      select("check", "Check", given["check"] ?? "", [["", "any"], ...CHECK_IDS.map((c) => [c, c] as const)]),
      select(CONSOLE_SORT_PARAMETER, "Sort by", input.sort, SORT_KEYS.map((k) => [k, SORTS[k].label])),
      select("pageSize", "Per page", given["pageSize"] ?? DEFAULT_CONSOLE_PAGE_SIZE, PAGE_SIZES.map((n) => [n, n])),
    ],
    inputs: [
      textInput("subscription", "Subscription id", given, "A GUID."),
      textInput("cluster", "Cluster", given, "A cluster name or resource id."),
      textInput("namespace", "Namespace", given, ""),
      textInput("identity", "Identity client id", given, "A GUID."),
      textInput("since", "Changed since", given, "A date (2026-11-01) or date-time (2026-11-01T06:00:00Z)."),
    ],
    exports: { csv: exportLink("csv"), sarif: exportLink("sarif"), ocsf: exportLink("ocsf") },
    summary: `${rows.length === 0 ? "No" : rows.length} ${status === "all" ? "" : `${status} `}finding${rows.length === 1 ? "" : "s"} on this page${input.continuationToken !== undefined ? "; more on the next page" : ""}.`,
    sortLabel: SORTS[input.sort].label,
    rows,
    firstPage: given["continuationToken"] !== undefined ? query({}) : undefined,
    nextPage: input.continuationToken === undefined ? undefined : query({ continuationToken: input.continuationToken }),
  };
}

function rowView(f: StoredFinding, subscription: SubscriptionNamer): FindingRowView {
  return {
    severity: f.severity,
    severityLabel: SEVERITY_LABELS[f.severity],
    title: clip(f.title, "title"),
    href: CONSOLE_LINKS.finding(f.id),
    checkId: f.checkId,
    where: clip(findingLocation(f), "reason"),
    subscription: subscription(f.resource.subscriptionId),
    status: f.status,
    lastSeen: formatInstant(f.lastSeenAt),
  };
}

function select(name: string, label: string, current: string, options: ReadonlyArray<readonly [string, string]>) {
  return { name, label, options: options.map(([value, text]) => ({ value, label: text, selected: value === current })) };
}

function textInput(name: string, label: string, given: Readonly<Record<string, string>>, hint: string) {
  return { name, label, type: "text", value: clip(given[name] ?? "", "name"), hint };
}

function without(values: Readonly<Record<string, string>>, key: string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([k]) => k !== key));
}
