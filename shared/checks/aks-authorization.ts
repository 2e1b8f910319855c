/**
 * How AKS authorizes a Kubernetes request under Azure RBAC for Kubernetes
 * authorization: the request's attributes become one data action,
 * `Microsoft.ContainerService/managedClusters/[<group>/]<resource>/<read|write|delete>`.
 * get/list/watch are `read`, create/update/patch are `write`, and a
 * subresource is authorized as its parent (pods/log is `pods/read`,
 * serviceaccounts/token create is `serviceaccounts/write`), except pods/exec,
 * which is `pods/exec/action`. scan.forbidden names the action to grant;
 * test/infra checks the scanner's roles against the same mapping.
 */

export const AKS_DATA_ACTION_PREFIX = "Microsoft.ContainerService/managedClusters";

/** The request attributes the mapping needs, as the API server's request info has them. */
export interface KubernetesPermission {
  verb: string;
  /** API group, "" for the core group. */
  group: string;
  resource: string;
  subresource?: string;
}

/**
 * The data action AKS checks for the request; undefined for a verb Azure RBAC
 * has no documented action for.
 *
 * @example
 * azureDataActionFor({ verb: "get", group: "", resource: "pods", subresource: "log" })
 * // "Microsoft.ContainerService/managedClusters/pods/read"
 */
export function azureDataActionFor(request: KubernetesPermission): string | undefined {
  if (request.resource === "pods" && request.subresource === "exec") return `${AKS_DATA_ACTION_PREFIX}/pods/exec/action`;
  const action = actionOf(request.verb);
  if (action === undefined) return undefined;
  const groupPart = request.group === "" ? "" : `${request.group}/`;
  return `${AKS_DATA_ACTION_PREFIX}/${groupPart}${request.resource}/${action}`;
}

function actionOf(verb: string): string | undefined {
  switch (verb) {
    case "get":
    case "list":
    case "watch":
      return "read";
    case "create":
    case "update":
    case "patch":
      return "write";
    case "delete":
    case "deletecollection":
      return "delete";
    case "bind":
    case "escalate":
    case "use":
    case "impersonate":
      return `${verb}/action`;
    default:
      return undefined;
  }
}

/** "pods/log" as collection errors name it, split into resource and subresource. */
export function splitResource(resource: string): { resource: string; subresource?: string } {
  const [parent = resource, subresource] = resource.split("/", 2);
  return subresource === undefined || subresource === "" ? { resource: parent } : { resource: parent, subresource };
}
