/**
 * One simulated Kubernetes API server per cluster of the fleet, behind one
 * handler. The simulator core routes `/clusters/<name>/...` here; everything
 * below speaks the real API server's wire protocol: discovery, lists with
 * selectors and paging, gets, Table output for kubectl, pod logs,
 * TokenRequest, and `Status` errors.
 *
 * @example
 *   const kubernetes = createKubernetesApi(fleet, { tokens: createTokenSigner() });
 *   // in the HTTPS server: await kubernetes.handle(req, res, "payments-prod", "/api/v1/pods?limit=500");
 */
import { withManagedFields } from "./managed-fields.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { ArmObject, FleetDescription, KubeObject } from "../fleet/model.js";
import { bearerToken, readBody } from "../http.js";
import type { TokenSigner } from "../tokens.js";
import { createAuthenticator, isForbidden, type Caller, type KubernetesAccessRule, type RequestAttributes } from "./access.js";
import { apiGroup, coreVersions, groupList, resourceList, versionInfo } from "./discovery.js";
import { podLog } from "./logs.js";
import { decodeContinue, encodeContinue, EXPIRED_CONTINUE_MESSAGE } from "./paging.js";
import { apiVersionOf, findResourceType, resourceType, type ResourceType } from "./resources.js";
import { parseFieldSelector, parseLabelSelector, SelectorError, type ObjectPredicate } from "./selectors.js";
import {
  badRequest,
  forbidden,
  methodNotAllowed,
  notFound,
  pathNotFound,
  sendJsonText,
  sendStatus,
  statusObject,
  unauthorized,
} from "./status.js";
import { findObject, indexCluster, keyOf, lowerBound, rangeOf, type ClusterStore } from "./store.js";
import { toTable, wantsTable, type IncludeObject } from "./table.js";
import { IN_CLUSTER_ISSUER, issueServiceAccountToken } from "./token-request.js";

export { AKS_SERVER_APP_ID, STATIC_TOKEN_USER, type KubernetesAccessRule } from "./access.js";

/** Continue tokens live about as long as the real API server keeps history (etcd compaction every 5 minutes). */
export const DEFAULT_CONTINUE_TOKEN_TTL_MS = 5 * 60 * 1000;

/** Expires `count` (default 1) continue tokens presented to a cluster, for one resource or all, after letting `after` (default 0) through. */
export interface ContinueExpiryRule {
  cluster: string;
  resource?: string;
  count?: number;
  after?: number;
}

export interface KubernetesApiOptions {
  tokens: TokenSigner;
  /** Requests to refuse with 403, as missing RBAC permissions would. */
  forbidden?: readonly KubernetesAccessRule[];
  continueTokenTtlMs?: number;
  expireContinue?: readonly ContinueExpiryRule[];
  /** The clock behind ages, log timestamps and token lifetimes. */
  now?: () => Date;
  /** Starts every static cluster-user token: a canary that secret-leak tests look for. */
  staticTokenPrefix?: string;
}

/** A fault the simulator core decided on for this request (see simulator/faults.ts). */
export type KubernetesFault = { kind: "forbidden" } | { kind: "unauthorized" } | { kind: "endless-continue" };

export interface KubernetesApi {
  /**
   * Answers one request to a cluster's API server. `path` is what follows
   * `/clusters/<name>`, with the query string. A cluster without objects in
   * the fleet cannot be reached: its connection is reset.
   */
  handle(req: IncomingMessage, res: ServerResponse, clusterName: string, path: string, fault?: KubernetesFault): Promise<void>;
  /** The static token of the cluster-user credential of a cluster without Entra ID integration. */
  bearerTokenFor(clusterName: string): string;
}

export function createKubernetesApi(fleet: FleetDescription, options: KubernetesApiOptions): KubernetesApi {
  const now = options.now ?? (() => new Date());
  const ttlMs = options.continueTokenTtlMs ?? DEFAULT_CONTINUE_TOKEN_TTL_MS;
  const forbiddenRules = options.forbidden ?? [];
  const expiryBudget = (options.expireContinue ?? []).map((rule) => ({ ...rule, passing: rule.after ?? 0, remaining: rule.count ?? 1 }));
  const managedClusters = new Map<string, ArmObject>();
  for (const cluster of fleet.azure.managedClusters) if (!managedClusters.has(cluster.name)) managedClusters.set(cluster.name, cluster);
  const authenticator = createAuthenticator(managedClusters, options.tokens, fleet.azure.tenantId, options.staticTokenPrefix);
  // Indexed on first use and kept: a benchmark fleet of 5,000 clusters starts instantly.
  const stores = new Map<string, ClusterStore>();

  const storeOf = (cluster: string): ClusterStore | undefined => {
    let store = stores.get(cluster);
    if (!store) {
      const objects = fleet.clusters.get(cluster);
      if (!objects) return undefined;
      store = indexCluster(cluster, objects);
      stores.set(cluster, store);
    }
    return store;
  };

  const takeForcedExpiry = (cluster: string, resource: string): boolean => {
    const rule = expiryBudget.find((r) => r.cluster === cluster && (r.resource === undefined || r.resource === resource) && r.remaining > 0);
    if (!rule) return false;
    if (rule.passing > 0) {
      rule.passing -= 1;
      return false;
    }
    rule.remaining -= 1;
    return true;
  };

  interface RequestContext {
    req: IncomingMessage;
    res: ServerResponse;
    cluster: string;
    store: ClusterStore;
    query: URLSearchParams;
    caller: Caller;
    fault?: KubernetesFault;
  }

  /** Sends the 403 and returns true when the request is not allowed. */
  const denied = (context: RequestContext, attributes: RequestAttributes): boolean => {
    if (context.fault?.kind !== "forbidden" && !isForbidden(forbiddenRules, context.cluster, attributes)) return false;
    sendStatus(context.res, forbidden({ user: context.caller.user, ...attributes }));
    return true;
  };

  const list = (context: RequestContext, type: ResourceType, namespace: string | undefined): void => {
    const { query, store, res } = context;
    if (denied(context, { verb: "list", resource: type.resource, group: type.group, ...(namespace !== undefined && { namespace }) })) return;
    if (query.get("watch") === "true" || query.get("watch") === "1") {
      sendStatus(res, methodNotAllowed("WATCH"));
      return;
    }
    let labelPredicate: ObjectPredicate | undefined;
    let fieldPredicate: ObjectPredicate | undefined;
    let scope = namespace;
    try {
      labelPredicate = parseLabelSelector(query.get("labelSelector") ?? "");
      const fields = parseFieldSelector(query.get("fieldSelector") ?? "", type.resource);
      fieldPredicate = fields.predicate;
      if (fields.namespace !== undefined) {
        if (scope !== undefined && scope !== fields.namespace) scope = "\u0000no-such-namespace";
        else scope = fields.namespace;
      }
    } catch (error) {
      if (!(error instanceof SelectorError)) throw error;
      sendStatus(res, badRequest(error.message));
      return;
    }
    const matches = (object: KubeObject): boolean => (!labelPredicate || labelPredicate(object)) && (!fieldPredicate || fieldPredicate(object));

    const limitText = query.get("limit");
    const limit = limitText === null ? undefined : Number(limitText);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) {
      sendStatus(res, badRequest(`invalid limit: ${limitText}`));
      return;
    }
    const index = store.resources[type.resource];
    const [rangeStart, rangeEnd] = rangeOf(index, type.namespaced ? scope : undefined);
    const nowMs = now().getTime();

    let position = rangeStart;
    const continueToken = query.get("continue");
    if (continueToken) {
      const check = decodeContinue(continueToken, { resource: type.resource, nowMs, ttlMs });
      if (!check.ok && check.reason === "invalid") {
        sendStatus(res, badRequest(check.message));
        return;
      }
      if (!check.ok || takeForcedExpiry(context.cluster, type.resource)) {
        // As the real server does: 410 with a token that continues inconsistently from the same key.
        const inconsistent = encodeContinue({ rv: store.resourceVersion, start: check.start, r: type.resource, t: nowMs });
        sendStatus(res, statusObject(410, "Expired", EXPIRED_CONTINUE_MESSAGE, undefined, inconsistent));
        return;
      }
      position = lowerBound(index, rangeStart, rangeEnd, check.start);
    }

    const page: KubeObject[] = [];
    const pageLimit = limit === undefined || limit === 0 ? Number.POSITIVE_INFINITY : limit;
    while (position < rangeEnd && page.length < pageLimit) {
      const object = index.items[position];
      if (object && matches(object)) page.push(object);
      position += 1;
    }
    // Look ahead for the next match so that the last page never comes back empty with a continue token.
    while (position < rangeEnd && !matches(index.items[position] as KubeObject)) position += 1;
    const next = position < rangeEnd ? index.items[position] : undefined;

    const filtered = labelPredicate !== undefined || fieldPredicate !== undefined;
    const metadata: Record<string, unknown> = { resourceVersion: String(store.resourceVersion) };
    if (next) {
      metadata.continue = encodeContinue({ rv: store.resourceVersion, start: keyOf(next), r: type.resource, t: nowMs });
      if (!filtered) metadata.remainingItemCount = rangeEnd - position;
    } else if (context.fault?.kind === "endless-continue") {
      // The injected fault (simulator/faults.ts): the last page points back to the first, a list without end.
      metadata.continue = encodeContinue({ rv: store.resourceVersion, start: "", r: type.resource, t: nowMs });
    }
    sendObjects(context, type, page, metadata);
  };

  const sendObjects = (context: RequestContext, type: ResourceType, objects: KubeObject[], metadata: Record<string, unknown>): void => {
    if (wantsTable(context.req.headers.accept)) {
      sendJsonText(context.res, 200, JSON.stringify(toTable(type.resource, objects, metadata, includeObjectOf(context.query), now())));
      return;
    }
    const apiVersion = apiVersionOf(type);
    // Real API servers return managedFields on every object (managed-fields.ts).
    const items = objects.map((object) => JSON.stringify(withManagedFields(object))).join(",");
    sendJsonText(
      context.res,
      200,
      `{"kind":${JSON.stringify(`${type.kind}List`)},"apiVersion":${JSON.stringify(apiVersion)},"metadata":${JSON.stringify(metadata)},"items":[${items}]}`,
    );
  };

  const get = (context: RequestContext, type: ResourceType, namespace: string | undefined, name: string): void => {
    if (denied(context, { verb: "get", resource: type.resource, group: type.group, name, ...(namespace !== undefined && { namespace }) })) return;
    const object = findObject(context.store.resources[type.resource], namespace, name);
    if (!object) {
      sendStatus(context.res, notFound(type.resource, type.group, name));
      return;
    }
    if (wantsTable(context.req.headers.accept)) {
      sendJsonText(context.res, 200, JSON.stringify(toTable(type.resource, [object], {}, includeObjectOf(context.query), now())));
      return;
    }
    sendJsonText(context.res, 200, JSON.stringify(withManagedFields(object)));
  };

  const readLog = (context: RequestContext, namespace: string, name: string): void => {
    const pods = resourceType("pods");
    if (denied(context, { verb: "get", resource: "pods", subresource: "log", group: "", namespace, name })) return;
    const pod = findObject(context.store.resources.pods, namespace, name);
    if (!pod) {
      sendStatus(context.res, notFound(pods.resource, pods.group, name));
      return;
    }
    const numbers: Record<"tailLines" | "sinceSeconds" | "limitBytes", number | undefined> = { tailLines: undefined, sinceSeconds: undefined, limitBytes: undefined };
    for (const field of ["tailLines", "sinceSeconds", "limitBytes"] as const) {
      const text = context.query.get(field);
      if (text === null) continue;
      const value = Number(text);
      if (!Number.isInteger(value) || value < 0 || (field !== "tailLines" && value === 0)) {
        sendStatus(context.res, badRequest(`invalid ${field}: ${text}`));
        return;
      }
      numbers[field] = value;
    }
    const container = context.query.get("container") ?? undefined;
    const answer = podLog(
      pod,
      (containerName) => fleet.logs[`${context.cluster}/${namespace}/${name}/${containerName}`],
      {
        ...(container !== undefined && { container }),
        ...(numbers.tailLines !== undefined && { tailLines: numbers.tailLines }),
        ...(numbers.sinceSeconds !== undefined && { sinceSeconds: numbers.sinceSeconds }),
        ...(numbers.limitBytes !== undefined && { limitBytes: numbers.limitBytes }),
        timestamps: context.query.get("timestamps") === "true",
      },
      now(),
    );
    if (!answer.ok) {
      sendStatus(context.res, badRequest(answer.message));
      return;
    }
    context.res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(answer.text), "cache-control": "no-cache, private" });
    context.res.end(answer.text);
  };

  const createToken = async (context: RequestContext, namespace: string, name: string): Promise<void> => {
    if (denied(context, { verb: "create", resource: "serviceaccounts", subresource: "token", group: "", namespace, name })) return;
    const body = await readBody(context.req);
    const serviceAccount = findObject(context.store.resources.serviceaccounts, namespace, name);
    if (!serviceAccount) {
      sendStatus(context.res, notFound("serviceaccounts", "", name));
      return;
    }
    const answer = issueServiceAccountToken(serviceAccount, body, { issuer: issuerOf(managedClusters.get(context.cluster)), tokens: options.tokens, now: now() });
    if (!answer.ok) sendStatus(context.res, answer.status);
    else sendJsonText(context.res, 201, JSON.stringify(answer.body));
  };

  /** Routes what follows /api/v1 or /apis/<group>/<version>. */
  const resourceRequest = async (context: RequestContext, group: string, version: string, rest: string[]): Promise<void> => {
    const method = context.req.method ?? "GET";
    let namespace: string | undefined;
    let parts = rest;
    if (rest[0] === "namespaces" && rest.length >= 3) {
      namespace = rest[1];
      parts = rest.slice(2);
    }
    const [resource = "", name, subresource, ...extra] = parts;
    const type = findResourceType(group, version, resource);
    if (!type || extra.length > 0 || (namespace !== undefined && !type.namespaced) || (namespace === undefined && type.namespaced && name !== undefined)) {
      sendStatus(context.res, pathNotFound());
      return;
    }
    if (subresource !== undefined) {
      if (type.resource === "pods" && subresource === "log" && namespace !== undefined && name !== undefined && method === "GET") return readLog(context, namespace, name);
      if (type.resource === "serviceaccounts" && subresource === "token" && namespace !== undefined && name !== undefined) {
        if (method === "POST") return createToken(context, namespace, name);
        return sendStatus(context.res, methodNotAllowed(method));
      }
      return sendStatus(context.res, pathNotFound());
    }
    if (method !== "GET") return sendStatus(context.res, methodNotAllowed(method));
    if (name === undefined) return list(context, type, namespace);
    return get(context, type, namespace, name);
  };

  return {
    bearerTokenFor: (clusterName) => authenticator.staticToken(clusterName),

    async handle(req, res, clusterName, path, fault) {
      const store = storeOf(clusterName);
      if (!store) {
        req.socket.destroy();
        return;
      }
      const url = new URL(path, "https://kubernetes.invalid");
      let segments: string[];
      try {
        segments = url.pathname.split("/").filter((s) => s !== "").map(decodeURIComponent);
      } catch {
        return sendStatus(res, pathNotFound());
      }
      const [first, second, third, ...rest] = segments;
      if (first === "healthz" || first === "livez" || first === "readyz") {
        res.writeHead(200, { "content-type": "text/plain" });
        res.end("ok");
        return;
      }
      const properties = managedClusters.get(clusterName)?.properties ?? {};
      if (first === "version" && segments.length === 1) {
        return sendJsonText(res, 200, JSON.stringify(versionInfo(versionOf(properties))));
      }

      const caller = fault?.kind === "unauthorized" ? undefined : authenticator.authenticate(clusterName, bearerToken(req), certificateUser(req));
      if (!caller) return sendStatus(res, unauthorized());
      const context: RequestContext = { req, res, cluster: clusterName, store, query: url.searchParams, caller, ...(fault && { fault }) };

      if (first === "api" && (second === undefined || (second === "v1" && third === undefined))) {
        if (fault?.kind === "forbidden") return sendStatus(res, forbiddenPath(caller, url.pathname));
        return sendJsonText(res, 200, JSON.stringify(second === undefined ? coreVersions() : resourceList("", "v1")));
      }
      if (first === "apis" && (third === undefined || rest.length === 0)) {
        if (fault?.kind === "forbidden") return sendStatus(res, forbiddenPath(caller, url.pathname));
        const document = second === undefined ? groupList() : third === undefined ? apiGroup(second) : resourceList(second, third);
        return document ? sendJsonText(res, 200, JSON.stringify(document)) : sendStatus(res, pathNotFound());
      }
      if (first === "api" && second === "v1" && third !== undefined) return resourceRequest(context, "", "v1", [third, ...rest]);
      if (first === "apis" && second !== undefined && third !== undefined) return resourceRequest(context, second, third, rest);
      return sendStatus(res, pathNotFound());
    },
  };
}

/** The common name of a client certificate the simulator's CA signed, when the caller presented one. */
function certificateUser(req: IncomingMessage): string | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const commonName = socket.getPeerCertificate().subject?.CN;
  return typeof commonName === "string" && commonName !== "" ? commonName : undefined;
}

function forbiddenPath(caller: Caller, path: string) {
  return statusObject(403, "Forbidden", `forbidden: User "${caller.user}" cannot get path "${path}"`);
}

function includeObjectOf(query: URLSearchParams): IncludeObject {
  const value = query.get("includeObject");
  return value === "None" || value === "Object" ? value : "Metadata";
}

function versionOf(properties: Record<string, unknown>): string | undefined {
  const version = properties.currentKubernetesVersion ?? properties.kubernetesVersion;
  return typeof version === "string" ? version : undefined;
}

function issuerOf(cluster: ArmObject | undefined): string {
  const profile = cluster?.properties?.oidcIssuerProfile as { enabled?: boolean; issuerURL?: string } | undefined;
  return profile?.enabled !== false && typeof profile?.issuerURL === "string" ? profile.issuerURL : IN_CLUSTER_ISSUER;
}

