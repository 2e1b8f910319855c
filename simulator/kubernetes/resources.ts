/**
 * The resource kinds each simulated API server serves, described the way API
 * discovery describes them. Objects of other kinds in a fleet file are ignored.
 */

export const RESOURCE_NAMES = [
  "namespaces",
  "serviceaccounts",
  "pods",
  "services",
  "configmaps",
  "deployments",
  "statefulsets",
  "daemonsets",
  "replicasets",
  "jobs",
  "cronjobs",
  "mutatingwebhookconfigurations",
  "clusterroles",
  "clusterrolebindings",
] as const;
export type ResourceName = (typeof RESOURCE_NAMES)[number];

export interface ResourceType {
  resource: ResourceName;
  kind: string;
  singular: string;
  /** "" for the core group. */
  group: string;
  version: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Subresources served besides the object itself. */
  subresources: Array<{ name: string; kind: string; verbs: string[] }>;
}

export const RESOURCE_TYPES: readonly ResourceType[] = [
  { resource: "namespaces", kind: "Namespace", singular: "namespace", group: "", version: "v1", namespaced: false, shortNames: ["ns"], categories: [], subresources: [] },
  {
    resource: "serviceaccounts",
    kind: "ServiceAccount",
    singular: "serviceaccount",
    group: "",
    version: "v1",
    namespaced: true,
    shortNames: ["sa"],
    categories: [],
    subresources: [{ name: "token", kind: "TokenRequest", verbs: ["create"] }],
  },
  {
    resource: "pods",
    kind: "Pod",
    singular: "pod",
    group: "",
    version: "v1",
    namespaced: true,
    shortNames: ["po"],
    categories: ["all"],
    subresources: [{ name: "log", kind: "Pod", verbs: ["get"] }],
  },
  { resource: "services", kind: "Service", singular: "service", group: "", version: "v1", namespaced: true, shortNames: ["svc"], categories: ["all"], subresources: [] },
  { resource: "configmaps", kind: "ConfigMap", singular: "configmap", group: "", version: "v1", namespaced: true, shortNames: ["cm"], categories: [], subresources: [] },
  { resource: "deployments", kind: "Deployment", singular: "deployment", group: "apps", version: "v1", namespaced: true, shortNames: ["deploy"], categories: ["all"], subresources: [] },
  { resource: "statefulsets", kind: "StatefulSet", singular: "statefulset", group: "apps", version: "v1", namespaced: true, shortNames: ["sts"], categories: ["all"], subresources: [] },
  { resource: "daemonsets", kind: "DaemonSet", singular: "daemonset", group: "apps", version: "v1", namespaced: true, shortNames: ["ds"], categories: ["all"], subresources: [] },
  { resource: "replicasets", kind: "ReplicaSet", singular: "replicaset", group: "apps", version: "v1", namespaced: true, shortNames: ["rs"], categories: ["all"], subresources: [] },
  { resource: "jobs", kind: "Job", singular: "job", group: "batch", version: "v1", namespaced: true, shortNames: [], categories: ["all"], subresources: [] },
  { resource: "cronjobs", kind: "CronJob", singular: "cronjob", group: "batch", version: "v1", namespaced: true, shortNames: ["cj"], categories: ["all"], subresources: [] },
  {
    resource: "mutatingwebhookconfigurations",
    kind: "MutatingWebhookConfiguration",
    singular: "mutatingwebhookconfiguration",
    group: "admissionregistration.k8s.io",
    version: "v1",
    namespaced: false,
    shortNames: [],
    categories: ["api-extensions"],
    subresources: [],
  },
  { resource: "clusterroles", kind: "ClusterRole", singular: "clusterrole", group: "rbac.authorization.k8s.io", version: "v1", namespaced: false, shortNames: [], categories: [], subresources: [] },
  {
    resource: "clusterrolebindings",
    kind: "ClusterRoleBinding",
    singular: "clusterrolebinding",
    group: "rbac.authorization.k8s.io",
    version: "v1",
    namespaced: false,
    shortNames: [],
    categories: [],
    subresources: [],
  },
];

/** What discovery says every served resource supports: the simulator is read-only. */
export const RESOURCE_VERBS = ["get", "list"];

const byResource = new Map(RESOURCE_TYPES.map((type) => [type.resource, type]));
const byKind = new Map(RESOURCE_TYPES.map((type) => [`${type.group}/${type.kind}`, type]));

export function resourceType(resource: ResourceName): ResourceType {
  const type = byResource.get(resource);
  if (!type) throw new Error(`Unknown resource ${resource}`);
  return type;
}

/** The served resource at /api/<version> or /apis/<group>/<version>, if any. */
export function findResourceType(group: string, version: string, resource: string): ResourceType | undefined {
  const type = byResource.get(resource as ResourceName);
  return type && type.group === group && type.version === version ? type : undefined;
}

/** The resource type of an object by its apiVersion and kind. */
export function resourceTypeOf(apiVersion: string, kind: string): ResourceType | undefined {
  const slash = apiVersion.indexOf("/");
  const group = slash === -1 ? "" : apiVersion.slice(0, slash);
  return byKind.get(`${group}/${kind}`);
}

export function apiVersionOf(type: ResourceType): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

/** The API groups other than core, each with its one served version. */
export function servedGroups(): Array<{ group: string; version: string }> {
  const groups = new Map<string, string>();
  for (const type of RESOURCE_TYPES) if (type.group !== "") groups.set(type.group, type.version);
  return [...groups].map(([group, version]) => ({ group, version }));
}
