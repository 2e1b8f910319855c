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

/** api-versions of the Resources operation: 2024-04-01 is what @azure/arm-resourcegraph 5.0.0 sends. */
export const RESOURCE_GRAPH_API_VERSIONS = ["2024-04-01", "2022-10-01", "2021-03-01"];

interface QueryBody {
  subscriptions?: unknown;
  managementGroups?: unknown;
  query?: unknown;
  options?: { $top?: unknown; $skip?: unknown; $skipToken?: unknown; resultFormat?: unknown };
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
      { ...quotaHeaders, "retry-after": String(Math.max(1, Math.ceil(quota.resetsAfterMs / 1000))) },
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

  let rows: Row[];
  let projectedColumns: string[] | undefined;
  try {
    const query = parseKql(body.query);
    projectedColumns = query.projectedColumns;
    rows = runKql(query, tableRows(ctx, query.table, subscriptions));
  } catch (error) {
    if (!(error instanceof KqlError)) throw error;
    sendQueryError(res, quotaHeaders, error.code, error.message, error.position === undefined ? undefined : lineAndColumn(body.query, error.position), error.token);
    return;
  }

  const scopeKey = createHash("sha256")
    .update(JSON.stringify([body.query, subscriptions, managementGroups]))
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
  sendJson(res, 200, response, quotaHeaders);
}

function tableRows(ctx: AzureContext, table: KqlTable, subscriptions: string[]): Row[] {
  const { azure } = ctx.fleet;
  const inScope = new Set(subscriptions.map((s) => s.toLowerCase()));
  const visible = (subscriptionId: string) => subscriptionId === "" || inScope.size === 0 || inScope.has(subscriptionId.toLowerCase());
  switch (table) {
    case "resources":
      return [...azure.managedClusters, ...azure.userAssignedIdentities].map((r) => resourceRow(r, azure.tenantId)).filter((r) => visible(String(r.subscriptionId)));
    case "authorizationresources": {
      const definitions = new Map<string, Row>();
      for (const role of BUILT_IN_ROLES) {
        const id = `/providers/Microsoft.Authorization/RoleDefinitions/${role.guid}`;
        definitions.set(role.guid, {
          id,
          name: role.guid,
          type: "microsoft.authorization/roledefinitions",
          tenantId: azure.tenantId,
          subscriptionId: "",
          resourceGroup: "",
          properties: { roleName: role.roleName, type: "BuiltInRole", assignableScopes: ["/"] },
        });
      }
      for (const definition of azure.roleDefinitions ?? []) definitions.set(trailingGuid(definition.id), resourceRow(definition, azure.tenantId));
      const assignments = azure.roleAssignments.map((r) => resourceRow(r, azure.tenantId));
      return [...assignments, ...definitions.values()].filter((r) => visible(String(r.subscriptionId)));
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
          properties: { state: "Enabled" },
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

function trailingGuid(id: string): string {
  return (id.split("/").pop() ?? "").toLowerCase();
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
