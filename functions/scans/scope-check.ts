/**
 * Whether what a POST /api/scans request names lies within the scope the
 * settings give the scanner, so an HTTP caller can narrow a scan but never
 * widen it:
 * - SCAN_SUBSCRIPTIONS: requested subscriptions must be among them;
 * - SCAN_MANAGEMENT_GROUPS: requested subscriptions must be among those the
 *   latest scan of exactly those groups found under them (read from the
 *   findings store: a table read, not a Resource Graph query). None yet: no
 *   subscription can be named until the configured scope was scanned once;
 * - cluster resource ids must lie in a subscription of the scan's scope (the
 *   requested subscriptions, else the above). Cluster names are matched
 *   against the inventory of the scope itself, so they cannot leave it.
 */
import type { WiscanConfig } from "../../shared/config/index.js";
import type { FindingsStore } from "../../shared/store/index.js";
import type { FieldProblem } from "../http/body.js";

/** Which subscriptions a request may name. */
export type AllowedSubscriptions =
  | { kind: "any" }
  | { kind: "listed"; ids: ReadonlySet<string> }
  | { kind: "under-groups"; ids: ReadonlySet<string>; groups: readonly string[]; basisScanId: string | undefined };

/** Scans looked at for the latest scan of the management groups: the weekly one is far more recent than this. */
const SCANS_SEARCHED = 200;

const CLUSTER_SUBSCRIPTION = /^\/subscriptions\/([0-9a-f-]{36})\//i;

type ScopeStore = () => Promise<Pick<FindingsStore, "listScans">>;

/**
 * Every requested subscription and cluster id outside the configured scope,
 * each naming its field. Reads the store only when management groups are
 * configured and the request names a subscription or a cluster id.
 *
 * @example
 * const problems = await outOfScope(request.scope, config.scanner, findingsStore);
 */
export async function outOfScope(requested: { subscriptions: readonly string[]; clusters: readonly string[] }, scanner: WiscanConfig["scanner"], store: ScopeStore): Promise<FieldProblem[]> {
  const namesSomething = requested.subscriptions.length > 0 || requested.clusters.some((c) => CLUSTER_SUBSCRIPTION.test(c));
  if (!namesSomething) return [];
  return scopeProblems(requested, await allowedSubscriptions(scanner, store));
}

/** What the settings allow, reading the store only when management groups are configured. */
export async function allowedSubscriptions(scanner: WiscanConfig["scanner"], store: ScopeStore): Promise<AllowedSubscriptions> {
  if (scanner.subscriptions.length > 0) return { kind: "listed", ids: lowerSet(scanner.subscriptions) };
  if (scanner.managementGroups.length === 0) return { kind: "any" };
  const groups = scanner.managementGroups;
  const basis = await latestScanOfGroups(await store(), groups);
  return { kind: "under-groups", ids: lowerSet(basis?.subscriptions ?? []), groups, basisScanId: basis?.id };
}

/** Every requested subscription and cluster id outside the allowed scope, each naming its field. */
export function scopeProblems(requested: { subscriptions: readonly string[]; clusters: readonly string[] }, allowed: AllowedSubscriptions): FieldProblem[] {
  const problems: FieldProblem[] = [];
  requested.subscriptions.forEach((id, i) => {
    const reason = subscriptionRefusal(id, allowed);
    if (reason !== undefined) problems.push({ field: `subscriptions[${i}]`, problem: reason });
  });
  // A cluster id must lie in the scan's subscriptions: the requested ones when given, else those the settings allow.
  const clusterScope: AllowedSubscriptions = requested.subscriptions.length > 0 ? { kind: "listed", ids: lowerSet(requested.subscriptions) } : allowed;
  requested.clusters.forEach((cluster, i) => {
    const subscription = CLUSTER_SUBSCRIPTION.exec(cluster)?.[1];
    if (subscription === undefined) return;
    const reason = subscriptionRefusal(subscription, clusterScope);
    if (reason !== undefined) problems.push({ field: `clusters[${i}]`, problem: `${cluster} lies outside the scan's scope: ${reason}` });
  });
  return problems;
}

function subscriptionRefusal(id: string, allowed: AllowedSubscriptions): string | undefined {
  switch (allowed.kind) {
    case "any":
      return undefined;
    case "listed":
      return allowed.ids.has(id.toLowerCase()) ? undefined : `${id} is not one of the subscriptions this scan covers (SCAN_SUBSCRIPTIONS or the request's subscriptions)`;
    case "under-groups":
      if (allowed.basisScanId === undefined) {
        return `${id} cannot be checked against SCAN_MANAGEMENT_GROUPS (${allowed.groups.join(", ")}): no scan of those management groups is stored yet; start one with an empty body first`;
      }
      return allowed.ids.has(id.toLowerCase())
        ? undefined
        : `${id} is not under the management groups this scanner covers (SCAN_MANAGEMENT_GROUPS: ${allowed.groups.join(", ")}) as of scan ${allowed.basisScanId}`;
    default: {
      const never: never = allowed;
      return never;
    }
  }
}

/** The newest stored scan whose scope was exactly these management groups, unnarrowed: its subscriptions are what lies under them. */
async function latestScanOfGroups(store: Pick<FindingsStore, "listScans">, groups: readonly string[]): Promise<{ id: string; subscriptions: string[] } | undefined> {
  const wanted = [...lowerSet(groups)].sort().join(",");
  let token: string | undefined;
  let seen = 0;
  do {
    const page = await store.listScans({ pageSize: 50, ...(token !== undefined && { continuationToken: token }) });
    for (const scan of page.items) {
      const scope = scan.scope as Partial<typeof scan.scope> & { truncated?: boolean };
      const sameGroups = [...lowerSet(scope.managementGroups ?? [])].sort().join(",") === wanted;
      if (sameGroups && (scope.subscriptions ?? []).length === 0 && (scope.clusters ?? []).length === 0) return { id: scan.id, subscriptions: scan.subscriptions };
    }
    seen += page.items.length;
    token = page.continuationToken;
  } while (token !== undefined && seen < SCANS_SEARCHED);
  return undefined;
}

function lowerSet(values: readonly string[]): ReadonlySet<string> {
  return new Set(values.map((v) => v.toLowerCase()));
}
