/**
 * The body of POST /api/scans, validated into a scan's scope before anything
 * starts: every problem is reported at once, each naming its field.
 */
import { z } from "zod";
import type { WiscanConfig } from "../../shared/config/index.js";
import type { ScanScope } from "../../shared/scan/model.js";
import type { FieldProblem } from "../http/body.js";

export const MAX_REQUESTED_SUBSCRIPTIONS = 1000;
export const MAX_REQUESTED_CLUSTERS = 1000;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// A cluster name (AKS: letters, digits, "-" and "_", up to 63) or a managed cluster's ARM id.
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const CLUSTER_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]{1,90}\/providers\/microsoft\.containerservice\/managedclusters\/[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/i;

const scanRequestSchema = z
  .object({
    subscriptions: z
      .array(z.string().regex(GUID, "must be a subscription id (a GUID)"))
      .max(MAX_REQUESTED_SUBSCRIPTIONS, `at most ${MAX_REQUESTED_SUBSCRIPTIONS} subscriptions`)
      .optional(),
    clusters: z
      .array(
        z.string().refine((c) => CLUSTER_NAME.test(c) || CLUSTER_ID.test(c), "must be a cluster name or a managed cluster's resource id"),
      )
      .max(MAX_REQUESTED_CLUSTERS, `at most ${MAX_REQUESTED_CLUSTERS} clusters`)
      .optional(),
    sendDigest: z.boolean("must be true or false").optional(),
  })
  .strict();

export interface ScanRequest {
  scope: ScanScope;
  sendDigest: boolean;
}

export type ScanRequestResult = { ok: true; request: ScanRequest } | { ok: false; problems: FieldProblem[] };

/**
 * Reads the body (already parsed from JSON; undefined for an empty body) into a
 * scope. Without subscriptions, the scan covers what the settings name
 * (SCAN_SUBSCRIPTIONS or SCAN_MANAGEMENT_GROUPS, else everything the scanner
 * can read); with them, they replace it. Whether what is named lies within
 * the configured scope is scope-check.ts's job, before anything starts.
 */
export function parseScanRequest(body: unknown, scanner: WiscanConfig["scanner"]): ScanRequestResult {
  const parsed = scanRequestSchema.safeParse(body ?? {});
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ field: pathOf(issue.path) || "body", problem: issue.message })) };
  }
  const { subscriptions = [], clusters = [], sendDigest = false } = parsed.data;
  const scope: ScanScope =
    subscriptions.length > 0
      ? { subscriptions: unique(subscriptions), managementGroups: [], clusters: unique(clusters) }
      : { subscriptions: [...scanner.subscriptions], managementGroups: [...scanner.managementGroups], clusters: unique(clusters) };
  return { ok: true, request: { scope, sendDigest } };
}

/** The weekly scan's scope: what the settings name. */
export function configuredScope(scanner: WiscanConfig["scanner"]): ScanScope {
  return { subscriptions: [...scanner.subscriptions], managementGroups: [...scanner.managementGroups], clusters: [] };
}

/** Two scopes cover the same clusters when they name the same things, whatever the order or case. */
export function sameScope(a: ScanScope, b: ScanScope): boolean {
  const key = (scope: ScanScope) =>
    JSON.stringify([scope.subscriptions, scope.managementGroups, scope.clusters].map((list) => [...new Set(list.map((v) => v.toLowerCase()))].sort()));
  return key(a) === key(b);
}

function unique(values: readonly string[]): string[] {
  const seen = new Set<string>();
  return values.filter((v) => !seen.has(v.toLowerCase()) && seen.add(v.toLowerCase()));
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i > 0 ? "." : ""}${String(p)}`)).join("");
}
