/**
 * The Microsoft Graph routes the scanner reads: applications and service
 * principals by appId (filter or alternate key), and an application's
 * federated identity credentials, with @odata.nextLink paging. v1.0 for
 * everything; beta for federated credentials too, because only beta has
 * claimsMatchingExpression (flexible credentials; see ficResource).
 */
import { createHash, randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import { sendJson } from "../http.js";
import type { GraphApplication, GraphServicePrincipal } from "../fleet/model.js";
import type { AzureContext } from "./context.js";

const GRAPH_ROOT = "https://graph.microsoft.com";
const GRAPH_BASE = `${GRAPH_ROOT}/v1.0`;

/**
 * An application's signInAudience when the fleet leaves it out: Graph's
 * default (application resource, v1.0: "AzureADMyOrg (default)"), which Graph
 * always returns.
 */
const DEFAULT_SIGN_IN_AUDIENCE = "AzureADMyOrg";

export function handleGraph(ctx: AzureContext, method: string, url: URL, res: ServerResponse): void {
  if (method !== "GET") {
    sendGraphError(res, 405, "Request_BadRequest", `The fleet simulator serves Microsoft Graph reads only (got ${method}).`);
    return;
  }
  const path = decodeURIComponent(url.pathname).replace(/\/+$/, "");
  const apps = ctx.fleet.azure.applications;
  const sps = ctx.fleet.azure.servicePrincipals;

  let m: RegExpExecArray | null;
  if (/^\/v1\.0\/applications$/i.test(path)) {
    const filtered = filterByAppId(apps, url, res);
    if (filtered) sendCollection(ctx, url, res, "applications", filtered.map(applicationResource));
    return;
  }
  if (/^\/v1\.0\/serviceprincipals$/i.test(path)) {
    const filtered = filterByAppId(sps, url, res);
    if (filtered) sendCollection(ctx, url, res, "servicePrincipals", filtered.map((sp) => servicePrincipalResource(ctx, sp)));
    return;
  }
  if ((m = /^\/beta\/applications(?:\/([^/(]+)|\(appId='([^']+)'\))\/federatedIdentityCredentials$/i.exec(path))) {
    const [, objectId, appId] = m;
    const app = objectId !== undefined ? apps.find((a) => a.id === objectId) : apps.find((a) => a.appId.toLowerCase() === (appId ?? "").toLowerCase());
    if (!app) notFound(res, objectId ?? appId ?? "");
    else sendCollection(ctx, url, res, `applications('${app.id}')/federatedIdentityCredentials`, ficResources(app, "beta"), `${GRAPH_ROOT}/beta`);
    return;
  }
  if ((m = /^\/v1\.0\/applications(?:\/([^/(]+)|\(appId='([^']+)'\))(\/federatedIdentityCredentials)?$/i.exec(path))) {
    const [, objectId, appId, fics] = m;
    const app = objectId !== undefined ? apps.find((a) => a.id === objectId) : apps.find((a) => a.appId.toLowerCase() === (appId ?? "").toLowerCase());
    if (!app) {
      notFound(res, objectId ?? appId ?? "");
      return;
    }
    if (fics) sendCollection(ctx, url, res, `applications('${app.id}')/federatedIdentityCredentials`, ficResources(app, "v1.0"));
    else sendJson(res, 200, select(url, { "@odata.context": `${GRAPH_BASE}/$metadata#applications/$entity`, ...applicationResource(app) }));
    return;
  }
  if ((m = /^\/v1\.0\/serviceprincipals(?:\/([^/(]+)|\(appId='([^']+)'\))$/i.exec(path))) {
    const [, objectId, appId] = m;
    const sp = objectId !== undefined ? sps.find((s) => s.id === objectId) : sps.find((s) => s.appId.toLowerCase() === (appId ?? "").toLowerCase());
    if (!sp) notFound(res, objectId ?? appId ?? "");
    else sendJson(res, 200, select(url, { "@odata.context": `${GRAPH_BASE}/$metadata#servicePrincipals/$entity`, ...servicePrincipalResource(ctx, sp) }));
    return;
  }
  sendGraphError(res, 400, "BadRequest", `Resource not found for the segment '${path.split("/").pop() ?? ""}'. (The fleet simulator serves no Graph route for '${path}'.)`);
}

/** Supports `appId eq '...'` and `appId in ('...', ...)`, the filters the scanner sends; anything else is refused. */
function filterByAppId<T extends GraphApplication | GraphServicePrincipal>(items: T[], url: URL, res: ServerResponse): T[] | undefined {
  const filter = url.searchParams.get("$filter");
  if (filter === null) return items;
  const eq = /^\s*appId\s+eq\s+'([^']*)'\s*$/i.exec(filter);
  const inList = /^\s*appId\s+in\s+\(([^)]*)\)\s*$/i.exec(filter);
  let wanted: string[];
  if (eq) wanted = [eq[1] ?? ""];
  else if (inList) wanted = [...(inList[1] ?? "").matchAll(/'([^']*)'/g)].map((x) => x[1] ?? "");
  else {
    sendGraphError(res, 400, "Request_UnsupportedQuery", `Unsupported or invalid query filter clause specified: '${filter}'. (The fleet simulator supports appId eq '...' and appId in (...).)`);
    return undefined;
  }
  if (wanted.length > 15) {
    sendGraphError(res, 400, "Request_UnsupportedQuery", "Too many values in the 'in' operator; the maximum is 15.");
    return undefined;
  }
  const set = new Set(wanted.map((w) => w.toLowerCase()));
  return items.filter((i) => set.has(i.appId.toLowerCase()));
}

function applicationResource(app: GraphApplication): Record<string, unknown> {
  const { federatedIdentityCredentials: _fics, ...rest } = app;
  return { signInAudience: DEFAULT_SIGN_IN_AUDIENCE, ...rest };
}

/**
 * A service principal as Graph returns it. One of an app registered here gets
 * this tenant as appOwnerOrganizationId and the app's signInAudience; one of
 * an app registered elsewhere keeps what the fleet says (its home tenant).
 */
function servicePrincipalResource(ctx: AzureContext, sp: GraphServicePrincipal): Record<string, unknown> {
  const app = ctx.fleet.azure.applications.find((a) => a.appId.toLowerCase() === sp.appId.toLowerCase());
  if (app === undefined) return { ...sp };
  return { appOwnerOrganizationId: ctx.fleet.azure.tenantId, signInAudience: app.signInAudience ?? DEFAULT_SIGN_IN_AUDIENCE, ...sp };
}

/**
 * Federated credentials as each Graph version returns them. subject is null
 * on a flexible credential (it is nullable and exclusive with
 * claimsMatchingExpression: beta federatedIdentityCredential resource type).
 * v1.0's resource type has no claimsMatchingExpression (v1.0
 * federatedidentitycredential.md lists audiences, description, id, issuer,
 * name, subject), so v1.0 shows a flexible credential as a null subject and
 * nothing else; beta returns the expression.
 */
function ficResources(app: GraphApplication, version: "v1.0" | "beta"): Array<Record<string, unknown>> {
  return (app.federatedIdentityCredentials ?? []).map((fic) => ({
    id: fic.id ?? stableGuid(`${app.id}/${fic.name}`),
    name: fic.name,
    issuer: fic.issuer,
    subject: fic.subject ?? null,
    audiences: fic.audiences,
    description: fic.description ?? null,
    ...(version === "beta" && { claimsMatchingExpression: fic.claimsMatchingExpression ?? null }),
  }));
}

function sendCollection(ctx: AzureContext, url: URL, res: ServerResponse, context: string, items: Array<Record<string, unknown>>, base = GRAPH_BASE): void {
  const skip = Number(url.searchParams.get("$skiptoken") ?? "0") || 0;
  const top = Math.min(Number(url.searchParams.get("$top") ?? ctx.graphPageSize) || ctx.graphPageSize, ctx.graphPageSize);
  const page = items.slice(skip, skip + top);
  const body: Record<string, unknown> = { "@odata.context": `${base}/$metadata#${context}`, value: page.map((i) => select(url, i)) };
  if (skip + page.length < items.length) {
    const next = new URL(url.pathname + url.search, ctx.endpoint);
    next.searchParams.set("$skiptoken", String(skip + page.length));
    body["@odata.nextLink"] = next.toString();
  }
  sendJson(res, 200, body);
}

function select(url: URL, item: Record<string, unknown>): Record<string, unknown> {
  const fields = url.searchParams.get("$select");
  if (!fields) return item;
  const keep = new Set(fields.split(",").map((f) => f.trim()));
  return Object.fromEntries(Object.entries(item).filter(([key]) => keep.has(key) || key.startsWith("@odata")));
}

function notFound(res: ServerResponse, id: string): void {
  sendGraphError(res, 404, "Request_ResourceNotFound", `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

/** Microsoft Graph's error shape: { error: { code, message, innerError } }. */
export function sendGraphError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  const requestId = randomUUID();
  sendJson(
    res,
    status,
    { error: { code, message, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, ""), "request-id": requestId, "client-request-id": requestId } } },
    { "request-id": requestId, ...headers },
  );
}

function stableGuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
