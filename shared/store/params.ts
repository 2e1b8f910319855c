/**
 * Parameters of the findings and scans queries, as text from a
 * URL or a command line. Shared by the HTTP API and the CLI so both accept
 * and refuse the same things; every refusal names the parameter.
 */
import { CHECK_IDS, SEVERITIES, type CheckId, type Severity } from "../findings/model.js";
import { InvalidParameterError } from "./errors.js";
import { STATUS_FILTERS, type FindingQuery, type PageRequest, type StatusFilter } from "./model.js";
import { CONTINUATION_PARAMETER } from "./paging.js";
import { HTTP_OUTPUT_FORMATS } from "../report/formats.js";

export const DEFAULT_PAGE_SIZE = 100;
/** The service returns at most 1,000 entities per request; a larger page would only hide extra round trips. */
export const MAX_PAGE_SIZE = 1000;
export const MAX_FILTER_LENGTH = 1024;

export const FINDING_QUERY_PARAMETERS = ["severity", "check", "subscription", "cluster", "namespace", "identity", "status", "since"] as const;
export const PAGE_PARAMETERS = ["pageSize", CONTINUATION_PARAMETER] as const;
/** ?format=: the API's subset of the one format list (shared/report/formats.ts). */
export const OUTPUT_FORMATS = HTTP_OUTPUT_FORMATS;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Reads one parameter; a repeated parameter is refused rather than silently picking one. */
export type ParameterSource = (name: string) => string | undefined;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseFindingQuery(get: ParameterSource): FindingQuery {
  const status = oneOf(get, "status", STATUS_FILTERS) ?? "open";
  const severity = oneOf(get, "severity", SEVERITIES);
  const checkId = oneOf(get, "check", CHECK_IDS);
  const subscription = guid(get, "subscription");
  const cluster = text(get, "cluster");
  const namespace = text(get, "namespace");
  const identity = guid(get, "identity");
  const since = instant(get, "since");
  return {
    status: status as StatusFilter,
    ...(severity !== undefined && { severity: severity as Severity }),
    ...(checkId !== undefined && { checkId: checkId as CheckId }),
    ...(subscription !== undefined && { subscription }),
    ...(cluster !== undefined && { cluster }),
    ...(namespace !== undefined && { namespace }),
    ...(identity !== undefined && { identity }),
    ...(since !== undefined && { since }),
  };
}

export function parsePageRequest(get: ParameterSource, defaultSize = DEFAULT_PAGE_SIZE): PageRequest {
  const raw = get("pageSize");
  let pageSize = defaultSize;
  if (raw !== undefined) {
    if (!/^\d{1,7}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE_SIZE) {
      throw new InvalidParameterError("pageSize", `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    }
    pageSize = Number(raw);
  }
  const token = get(CONTINUATION_PARAMETER);
  if (token !== undefined && (token.length === 0 || token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token))) {
    throw new InvalidParameterError(CONTINUATION_PARAMETER, "is not a token this API issued");
  }
  return { pageSize, ...(token !== undefined && { continuationToken: token }) };
}

export function parseFormat(get: ParameterSource): OutputFormat {
  return (oneOf(get, "format", OUTPUT_FORMATS) ?? "json") as OutputFormat;
}

/** Refuses parameters nobody reads: a misspelt filter would otherwise widen the result silently. */
export function rejectUnknownParameters(names: Iterable<string>, allowed: readonly string[]): void {
  for (const name of names) {
    if (!allowed.includes(name)) throw new InvalidParameterError(name, `is not a known parameter (known: ${allowed.join(", ")})`);
  }
}

function text(get: ParameterSource, name: string): string | undefined {
  const v = get(name);
  if (v === undefined) return undefined;
  if (v.length === 0) throw new InvalidParameterError(name, "must not be empty");
  if (v.length > MAX_FILTER_LENGTH) throw new InvalidParameterError(name, `must be at most ${MAX_FILTER_LENGTH} characters`);
  return v;
}

function oneOf(get: ParameterSource, name: string, values: readonly string[]): string | undefined {
  const v = text(get, name);
  if (v === undefined) return undefined;
  if (!values.includes(v)) {
    const shown = values.length > 8 ? `${values.slice(0, 8).join(", ")}, ...` : values.join(", ");
    throw new InvalidParameterError(name, `must be one of ${shown}`);
  }
  return v;
}

function guid(get: ParameterSource, name: string): string | undefined {
  const v = text(get, name);
  if (v !== undefined && !GUID.test(v)) throw new InvalidParameterError(name, "must be a GUID like 00000000-0000-0000-0000-000000000000");
  return v;
}

function instant(get: ParameterSource, name: string): Date | undefined {
  const v = text(get, name);
  if (v === undefined) return undefined;
  const ms = parseInstant(v);
  if (ms === undefined) throw new InvalidParameterError(name, "must be an ISO 8601 date or date-time, e.g. 2026-11-01 or 2026-11-01T06:00:00Z");
  return new Date(ms);
}

/** ISO 8601 only: Date.parse alone would also accept "1" or "March 7". */
function parseInstant(v: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(v)) return undefined;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? undefined : ms;
}
