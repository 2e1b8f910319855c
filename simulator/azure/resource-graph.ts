/**
 * POST /providers/Microsoft.ResourceGraph/resources: the query API, over the
 * fleet's resources, role assignments and subscriptions, with $skipToken paging
 * and Resource Graph's quota headers.
 */
import { createHash, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { formatTimeSpan, sendJson } from "../http.js";
import type { ArmObject } from "../fleet/model.js";
import type { AzureContext } from "./context.js";
import { sendArmError } from "./arm-errors.js";
import { KqlError, parseKql, runKql, type KqlTable, type Row } from "./kql.js";
import { BUILT_IN_ROLES } from "./roles.js";
import { AUTHORIZATION_SCOPE_FILTERS, authorizationFilter, authorizationLevel, type AuthorizationScopeFilter, type QueryScopes } from "./authorization-scope.js";

/** api-versions of the Resources operation: 2024-04-01 is what @azure/arm-resourcegraph 5.0.0 sends. */
export const RESOURCE_GRAPH_API_VERSIONS = ["2024-04-01", "2022-10-01", "2021-03-01"];

interface QueryBody {
  subscriptions?: unknown;
  managementGroups?: unknown;
  query?: unknown;
  options?: { $top?: unknown; $skip?: unknown; $skipToken?: unknown; resultFormat?: unknown; authorizationScopeFilter?: unknown };
}

export function handleResourceGraphQuery(ctx: AzureContext, res: ServerResponse, caller: string, rawBody: string): void {
  const quota = ctx.faults.takeResourceGraphQuota(caller);
  const quotaHeaders: Record<string, string> = quota
    ? { "x-ms-user-quota-remaining": String(quota.remaining), "x-ms-user-quota-resets-after": formatTimeSpan(quota.resetsAfterMs) }
    : {};
  if (quota && !quota.allowed) {
    sendArmError(
      res,
      429,
      "RateLimiting",
      "Please provide below info when asking for support: timestamp = " + new Date().toISOString() + ", correlationId = " + randomUUID() + ". Client application has been throttled and should not attempt to repeat the request until an amount of time has elapsed. Please see https://aka.ms/resourcegraph-throttling for help.",
      // Resource Graph documents its quota headers on every answer and no Retry-After
      // (learn.microsoft.com/azure/governance/resource-graph/concepts/guidance-for-throttled-requests).
      quotaHeaders,
    );
    return;
  }

  let body: QueryBody;
  try {
    body = JSON.parse(rawBody) as QueryBody;
  } catch {
    sendQueryError(res, quotaHeaders, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
    return;
  }
  if (typeof body.query !== "string" || body.query.trim() === "") {
    sendQueryError(res, quotaHeaders, "InvalidRequestContent", "The query is required.");
    return;
  }
  const options = body.options ?? {};
  if (options.resultFormat !== undefined && options.resultFormat !== "objectArray") {
    sendQueryError(res, quotaHeaders, "UnsupportedResultFormat", `resultFormat '${String(options.resultFormat)}' is not supported by the fleet simulator; use objectArray.`);
    return;
  }
  const subscriptions = stringList(body.subscriptions);
  const managementGroups = stringList(body.managementGroups);
  if (subscriptions === null || managementGroups === null) {
    sendQueryError(res, quotaHeaders, "InvalidRequestContent", "subscriptions and managementGroups must be arrays of strings.");
    return;
  }
  if (subscriptions.length > ctx.resourceGraphMaxSubscriptions) {
    sendQueryError(
      res,
      quotaHeaders,
      "TooManySubscriptions",
      `The request names ${subscriptions.length} subscriptions; at most ${ctx.resourceGraphMaxSubscriptions} are accepted per query. Batch the subscriptions.`,
    );
    return;
  }

  // A tenant or management-group query reads at most the first 10,000 subscriptions the caller can
  // see, and says so with x-ms-tenant-subscription-limit-hit: true (guidance-for-throttled-requests).
  let scopedSubscriptions = subscriptions;
  const limitHeaders: Record<string, string> = {};
  if (subscriptions.length === 0 && ctx.fleet.azure.subscriptions.length > ctx.resourceGraphTenantSubscriptionLimit) {
    scopedSubscriptions = ctx.fleet.azure.subscriptions.slice(0, ctx.resourceGraphTenantSubscriptionLimit).map((sub) => sub.subscriptionId);
    limitHeaders["x-ms-tenant-subscription-limit-hit"] = "true";
  }

  // Absent means AtScopeAndBelow, the spec's default (see authorization-scope.ts).
  const scopeFilter = options.authorizationScopeFilter ?? "AtScopeAndBelow";
  if (!AUTHORIZATION_SCOPE_FILTERS.includes(scopeFilter as AuthorizationScopeFilter)) {
    sendQueryError(res, quotaHeaders, "InvalidRequestContent", `authorizationScopeFilter must be one of ${AUTHORIZATION_SCOPE_FILTERS.join(", ")}.`);
    return;
  }

  let rows: Row[];
  let projectedColumns: string[] | undefined;
  try {
    const query = parseKql(body.query);
    projectedColumns = query.projectedColumns;
    rows = runKql(query, tableRows(ctx, query.table, { subscriptions: scopedSubscriptions, managementGroups }, scopeFilter as AuthorizationScopeFilter));
  } catch (error) {
    if (!(error instanceof KqlError)) throw error;
    sendQueryError(res, quotaHeaders, error.code, error.message, error.position === undefined ? undefined : lineAndColumn(body.query, error.position), error.token);
    return;
  }

  const scopeKey = createHash("sha256")
    .update(JSON.stringify([body.query, subscriptions, managementGroups, scopeFilter]))
    .digest("hex")
    .slice(0, 16);
  let offset = 0;
  if (options.$skipToken !== undefined) {
    const decoded = decodeSkipToken(options.$skipToken);
    if (!decoded || decoded.scope !== scopeKey) {
      sendQueryError(res, quotaHeaders, "InvalidSkipToken", "The $skipToken is invalid or belongs to another query.");
      return;
    }
    offset = decoded.offset;
  } else if (typeof options.$skip === "number") {
    offset = options.$skip;
  }
  const top = typeof options.$top === "number" && options.$top > 0 ? Math.min(options.$top, ctx.resourceGraphPageSize) : ctx.resourceGraphPageSize;
  const page = rows.slice(offset, offset + top);
  const more = offset + page.length < rows.length;
  // Resource Graph can only page a result whose columns include id; otherwise it truncates.
  const pageable = projectedColumns === undefined || projectedColumns.includes("id");
  const response: Record<string, unknown> = {
    totalRecords: rows.length,
    count: page.length,
    resultTruncated: more && !pageable ? "true" : "false",
    data: page,
  };
  if (more && pageable) response.$skipToken = Buffer.from(JSON.stringify({ s: scopeKey, o: offset + page.length })).toString("base64");
  sendJson(res, 200, response, { ...quotaHeaders, ...limitHeaders });
}

function tableRows(ctx: AzureContext, table: KqlTable, scopes: QueryScopes, scopeFilter: AuthorizationScopeFilter): Row[] {
  const { azure } = ctx.fleet;
  const inScope = new Set(scopes.subscriptions.map((s) => s.toLowerCase()));
  const visible = (subscriptionId: string) => subscriptionId === "" || inScope.size === 0 || inScope.has(subscriptionId.toLowerCase());
  switch (table) {
    case "resources":
      return [...azure.managedClusters, ...azure.userAssignedIdentities].map((r) => resourceRow(r, azure.tenantId)).filter((r) => visible(String(r.subscriptionId)));
    case "authorizationresources": {
      // Built-in roles are listed once per subscription, with subscription-level ids (the id a role
      // assignment's roleDefinitionId names): Microsoft's own example joins assignments to definitions
      // on the full lower-cased id ("Announcing AuthorizationResources in Azure Resource Graph",
      // techcommunity.microsoft.com, 2023). This is what makes a tenant-wide definitions query large.
      const builtIns: Row[] = azure.subscriptions.flatMap((s) =>
        BUILT_IN_ROLES.map((role) => ({
          id: `/subscriptions/${s.subscriptionId}/providers/Microsoft.Authorization/RoleDefinitions/${role.guid}`,
          name: role.guid,
          type: "microsoft.authorization/roledefinitions",
          tenantId: azure.tenantId,
          kind: "",
          location: "",
          subscriptionId: s.subscriptionId,
          resourceGroup: "",
          properties: { roleName: role.roleName, type: "BuiltInRole", assignableScopes: ["/"] },
        })),
      );
      // The fleet's definitions are custom roles (fleet-format.md); Azure marks those type CustomRole.
      const custom = (azure.roleDefinitions ?? []).map((d): Row => {
        const row = resourceRow(d, azure.tenantId);
        return { ...row, properties: { type: "CustomRole", ...(row.properties as Record<string, unknown>) } };
      });
      const assignments = azure.roleAssignments.map((r) => resourceRow(r, azure.tenantId));
      const inFilter = authorizationFilter(azure, scopes, scopeFilter);
      return [...assignments, ...custom, ...builtIns].filter((r) => {
        const properties = r.properties as Record<string, unknown>;
        const scope = typeof properties.scope === "string" ? properties.scope : String(r.id);
        return inFilter(authorizationLevel(scope));
      });
    }
    case "resourcecontainers":
      return azure.subscriptions
        .map((s) => ({
          id: `/subscriptions/${s.subscriptionId}`,
          name: s.displayName,
          type: "microsoft.resources/subscriptions",
          tenantId: azure.tenantId,
          subscriptionId: s.subscriptionId,
          resourceGroup: "",
          location: "",
          properties: { state: "Enabled", ...(s.managementGroupAncestorsChain && { managementGroupAncestorsChain: s.managementGroupAncestorsChain }) },
        }))
        .filter((r) => visible(r.subscriptionId));
  }
}

/** A row as Resource Graph shows an ARM object: type lowercased, subscription and group split out of the id. */
function resourceRow(resource: ArmObject, tenantId: string): Row {
  const match = /^\/subscriptions\/([^/]+)(?:\/resourcegroups\/([^/]+))?/i.exec(resource.id);
  return {
    ...resource,
    id: resource.id,
    name: resource.name,
    type: (resource.type ?? typeFromId(resource.id)).toLowerCase(),
    tenantId,
    kind: resource.kind ?? "",
    location: resource.location ?? "",
    resourceGroup: match?.[2] ?? "",
    subscriptionId: match?.[1] ?? "",
    managedBy: resource.managedBy ?? "",
    tags: resource.tags ?? null,
    properties: resource.properties ?? {},
  };
}

function typeFromId(id: string): string {
  const match = /\/providers\/([^/]+\/[^/]+)\/[^/]+$/i.exec(id);
  return match?.[1] ?? "";
}

function stringList(value: unknown): string[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) return null;
  return value as string[];
}

function decodeSkipToken(token: unknown): { scope: string; offset: number } | undefined {
  if (typeof token !== "string") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { s?: unknown; o?: unknown };
    if (typeof parsed.s === "string" && typeof parsed.o === "number") return { scope: parsed.s, offset: parsed.o };
  } catch {
    return undefined;
  }
  return undefined;
}

/** Resource Graph's 400 for a query it cannot run: BadRequest with InvalidQuery and the specific reason in details. */
function sendQueryError(
  res: ServerResponse,
  headers: Record<string, string>,
  code: string,
  message: string,
  position?: { line: number; characterPositionInLine: number },
  token?: string,
): void {
  sendJson(
    res,
    400,
    {
      error: {
        code: "BadRequest",
        message: `Please provide below info when asking for support: timestamp = ${new Date().toISOString()}, correlationId = ${randomUUID()}.`,
        details: [
          { code: "InvalidQuery", message: "Query is invalid. Please refer to the documentation for the Azure Resource Graph service and fix the error before retrying." },
          {
            code,
            message,
            ...position,
            ...(token !== undefined && { token }),
          },
        ],
      },
    },
    headers,
  );
}

function lineAndColumn(text: string, offset: number): { line: number; characterPositionInLine: number } {
  const before = text.slice(0, offset).split("\n");
  return { line: before.length, characterPositionInLine: (before[before.length - 1] ?? "").length };
}
