/**
 * The Azure inventory of a scan: AKS clusters, user-assigned identities with
 * their federated credentials, role assignments (Resource Graph, all pages,
 * subscriptions in batches), and app registrations named by client id
 * (Microsoft Graph). What cannot be read becomes an InventoryError, never an
 * exception, so that one forbidden subscription does not sink a scan.
 */
import type { AzureClients } from "../azure/index.js";
import { collectApplications } from "./applications.js";
import { inventoryError } from "./errors.js";
import { withFederatedCredentials } from "./federated-credentials.js";
import { toCluster, toIdentity, toRoleAssignment, toTags } from "./mapping.js";
import type { AksCluster, Inventory, InventoryError, RoleAssignment, Subscription } from "./model.js";
import { CLUSTERS_QUERY, IDENTITIES_QUERY, INHERITED_AUTHORIZATION, ROLE_ASSIGNMENTS_QUERY, SUBSCRIPTIONS_QUERY } from "./queries.js";
import { collectRoleNames } from "./role-names.js";
import { batches, MAX_SUBSCRIPTIONS_PER_QUERY, QuotaGate, queryAllPages, type QueryOptions, type QueryScope, type Row } from "./resource-graph.js";

export { collectApplications, type ApplicationsResult } from "./applications.js";
export { parseTimeSpan, MAX_SUBSCRIPTIONS_PER_QUERY } from "./resource-graph.js";
export type * from "./model.js";

export interface InventoryOptions {
  /** Subscriptions to read; default: every subscription the credential can see. */
  subscriptions?: string[];
  /** Management groups to read instead of subscriptions. */
  managementGroups?: string[];
  /** The tenant; default: the tenant of the subscriptions read. */
  tenantId?: string;
  /** Parallel federated-credential and Graph reads (default 8). */
  concurrency?: number;
  /**
   * Client ids that workloads name (service account annotations): those that
   * no managed identity owns are looked up as app registrations. The engine
   * may instead call collectApplications itself after the cluster snapshots.
   */
  appClientIds?: string[];
  /** Subscriptions per Resource Graph query (default and maximum 1000). */
  subscriptionBatchSize?: number;
}

/**
 * Collects the inventory.
 *
 * @example
 * const inventory = await collectInventory(clients, { subscriptions: ["6b0b5a4e-..."] });
 */
export async function collectInventory(clients: AzureClients, options: InventoryOptions = {}): Promise<Inventory> {
  const collectedAt = new Date().toISOString();
  const before = clients.requestCounter.snapshot();
  const errors: InventoryError[] = [];
  const gate = new QuotaGate();
  const concurrency = options.concurrency ?? 8;
  const batchSize = Math.min(options.subscriptionBatchSize ?? MAX_SUBSCRIPTIONS_PER_QUERY, MAX_SUBSCRIPTIONS_PER_QUERY);
  const managementGroups = options.subscriptions?.length ? [] : (options.managementGroups ?? []);
  let complete = true;

  const query = async (name: string, text: string, scope: QueryScope, resource?: string, queryOptions?: QueryOptions): Promise<Row[]> => {
    try {
      const result = await queryAllPages(clients.resourceGraph, text, scope, gate, queryOptions);
      if (result.truncated) {
        complete = false;
        errors.push({ kind: "error", operation: name, ...(resource !== undefined && { resource }), message: "Resource Graph truncated the result" });
      }
      if (result.subscriptionLimitHit) {
        // Never silently short: the subscriptions past the 10,000th were not read.
        complete = false;
        errors.push({
          kind: "error",
          operation: name,
          ...(resource !== undefined && { resource }),
          message: "Resource Graph answered for the first 10,000 subscriptions of the scope only (x-ms-tenant-subscription-limit-hit): set SCAN_SUBSCRIPTIONS in batches, or scan by management group",
        });
      }
      return result.rows;
    } catch (error) {
      complete = false;
      errors.push(inventoryError(error, name, resource, "Reader on the subscriptions (or management groups) to scan"));
      return [];
    }
  };

  // The visible subscriptions: names for the report, and whether the scan covers all of them.
  const visibleScope: QueryScope = managementGroups.length ? { managementGroups } : { tenant: true };
  const visibleRows = await query("subscriptions", SUBSCRIPTIONS_QUERY, visibleScope);
  const visible = new Map(visibleRows.map((row) => [String(row.subscriptionId ?? "").toLowerCase(), row]));
  let subscriptions: Subscription[];
  const missingSubscriptions: string[] = [];
  let partialScope = false;
  if (options.subscriptions?.length) {
    subscriptions = options.subscriptions.map((id) => {
      const row = visible.get(id.toLowerCase());
      const name = row?.name;
      const tags = toTags(row?.tags);
      return { subscriptionId: id, ...(typeof name === "string" && { displayName: name }), ...(tags && { tags }) };
    });
    const chosen = new Set(options.subscriptions.map((s) => s.toLowerCase()));
    if ([...visible.keys()].some((id) => !chosen.has(id))) {
      complete = false;
      partialScope = true;
    }
    // A subscription the scope names but Resource Graph does not list was not read (Reader removed, moved,
    // disabled): a gap to report, never an empty subscription whose findings would all resolve.
    // Only when the list itself was read: a failed list proves nothing about any one subscription.
    if (!errors.some((e) => e.operation === "subscriptions")) {
      for (const id of options.subscriptions) if (!visible.has(id.toLowerCase())) missingSubscriptions.push(id);
    }
    if (missingSubscriptions.length > 0) complete = false;
  } else {
    subscriptions = visibleRows.map((row) => {
      const tags = toTags(row.tags);
      return {
        subscriptionId: String(row.subscriptionId ?? ""),
        ...(typeof row.name === "string" && { displayName: row.name }),
        ...(tags && { tags }),
      };
    });
  }
  const tenantId =
    options.tenantId ?? (visibleRows.find((row) => typeof row.tenantId === "string")?.tenantId as string | undefined) ?? "";

  const scopes: Array<{ scope: QueryScope; label: string }> = managementGroups.length
    ? [{ scope: { managementGroups }, label: managementGroups.join(",") }]
    : batches(subscriptions.map((s) => s.subscriptionId), batchSize).map((ids) => ({ scope: { subscriptions: ids }, label: ids.join(",") }));

  const clusters: AksCluster[] = [];
  const identityRows: Row[] = [];
  const assignmentRows = new Map<string, Row>();
  // Sequential on purpose: Resource Graph's quota is per caller and small (15 per 5 s).
  for (const { scope, label } of scopes) {
    clusters.push(...(await query("managedClusters", CLUSTERS_QUERY, scope, label)).map(toCluster));
    identityRows.push(...(await query("userAssignedIdentities", IDENTITIES_QUERY, scope, label)));
    // Inherited assignments (management groups, "/") too; keyed by id, as every batch inherits the same ones.
    for (const row of await query("roleAssignments", ROLE_ASSIGNMENTS_QUERY, scope, label, INHERITED_AUTHORIZATION)) assignmentRows.set(String(row.id).toLowerCase(), row);
  }
  // Names only: its failures are reported but never make the inventory incomplete (role-names.ts).
  const roleNames = await collectRoleNames(clients.resourceGraph, scopes, gate, errors);

  const identities = await withFederatedCredentials(clients, identityRows.map(toIdentity), concurrency, errors);
  const roleAssignments: RoleAssignment[] = [...assignmentRows.values()].map((row) => toRoleAssignment(row, roleNames));

  const ownedByIdentities = new Set(identities.map((i) => i.clientId.toLowerCase()));
  const appClientIds = (options.appClientIds ?? []).filter((id) => !ownedByIdentities.has(id.toLowerCase()));
  const { applications, errors: applicationErrors } = appClientIds.length
    ? await collectApplications(clients.graph, appClientIds, { tenantId, concurrency })
    : { applications: [], errors: [] };
  errors.push(...applicationErrors);

  return {
    tenantId,
    collectedAt,
    subscriptions,
    complete,
    ...(missingSubscriptions.length > 0 && { missingSubscriptions }),
    ...(partialScope && { partialScope }),
    clusters,
    identities,
    applications,
    roleAssignments,
    errors,
    requests: clients.requestCounter.since(before),
  };
}
