/**
 * How an API server sees a request, and how the two authorizers the scanner
 * meets on AKS decide it:
 * - Kubernetes RBAC: the request attributes (verb, API group, resource,
 *   subresource) against a ClusterRole's rules, as the RBAC authorizer does.
 * - Azure RBAC for Kubernetes authorization (AKS guard): the attributes become
 *   one data action. The mapping is production code (scan.forbidden names the
 *   action to grant), in shared/checks/aks-authorization.ts; this file only
 *   makes an unmappable verb fail the test loudly.
 */
import { azureDataActionFor as dataActionOrUndefined } from "../../shared/checks/aks-authorization.js";

export interface KubernetesRequest {
  verb: string;
  /** API group, "" for the core group. */
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

/**
 * The attributes of one request, following the API server's request-info
 * rules. `path` is the URL path (with query) below the API server's root.
 */
export function requestOf(method: string, path: string): KubernetesRequest {
  const url = new URL(path, "https://api-server.invalid");
  const segments = url.pathname.split("/").filter((s) => s.length > 0).map(decodeURIComponent);
  let rest: string[];
  let group: string;
  if (segments[0] === "api" && segments.length >= 2) {
    group = "";
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 3) {
    group = segments[1]!;
    rest = segments.slice(3);
  } else {
    throw new Error(`not a resource request: ${method} ${url.pathname}`);
  }

  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, subresource] = rest;
  if (!resource) throw new Error(`no resource in ${method} ${url.pathname}`);

  const watch = url.searchParams.get("watch") === "true" || url.searchParams.get("watch") === "1";
  const verb = verbOf(method.toUpperCase(), name !== undefined, watch);
  return {
    verb,
    group,
    resource,
    ...(subresource !== undefined && { subresource }),
    ...(namespace !== undefined && { namespace }),
    ...(name !== undefined && { name }),
  };
}

function verbOf(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case "GET":
    case "HEAD":
      return named ? "get" : watch ? "watch" : "list";
    case "POST":
      return "create";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return named ? "delete" : "deletecollection";
    default:
      throw new Error(`unexpected HTTP method ${method}`);
  }
}

/** `pods`, or `pods/log` for a subresource: the name RBAC rules use. */
export function resourcePath(request: Pick<KubernetesRequest, "resource" | "subresource">): string {
  return request.subresource === undefined ? request.resource : `${request.resource}/${request.subresource}`;
}

/** True when one Kubernetes RBAC rule allows the request. */
export function ruleAllows(rule: PolicyRule, request: KubernetesRequest): boolean {
  const has = (values: string[] | undefined, value: string) => (values ?? []).some((v) => v === "*" || v === value);
  const resource = resourcePath(request);
  const resourceMatches = (rule.resources ?? []).some(
    (r) => r === "*" || r === resource || (request.subresource !== undefined && r === `*/${request.subresource}`),
  );
  const nameMatches = !rule.resourceNames?.length || (request.name !== undefined && rule.resourceNames.includes(request.name));
  return has(rule.apiGroups, request.group) && resourceMatches && has(rule.verbs, request.verb) && nameMatches;
}

/** The data action AKS checks for the request under Azure RBAC for Kubernetes authorization. */
export function azureDataActionFor(request: KubernetesRequest): string {
  const action = dataActionOrUndefined(request);
  if (action === undefined) throw new Error(`no Azure data action for verb ${request.verb}`);
  return action;
}

/** True when a role's data actions (with `*` wildcards) include the action. */
export function dataActionsAllow(dataActions: readonly string[], action: string): boolean {
  return dataActions.some((granted) => {
    const pattern = new RegExp(`^${granted.split("*").map(escapeRegExp).join(".*")}$`, "i");
    return pattern.test(action);
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
}
