/**
 * Legacy (unaggregated) API discovery and /version: enough for kubectl and
 * @kubernetes/client-node to find the resources the simulator serves. kubectl
 * asks for aggregated discovery first and falls back to these documents when
 * the answer is plain JSON.
 */
import { RESOURCE_TYPES, RESOURCE_VERBS, servedGroups, type ResourceType } from "./resources.js";

export function coreVersions(): unknown {
  return {
    kind: "APIVersions",
    versions: ["v1"],
    serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "10.0.0.1:443" }],
  };
}

function groupDocument(group: string, version: string): Record<string, unknown> {
  const groupVersion = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [groupVersion], preferredVersion: groupVersion };
}

export function groupList(): unknown {
  return { kind: "APIGroupList", apiVersion: "v1", groups: servedGroups().map(({ group, version }) => groupDocument(group, version)) };
}

export function apiGroup(group: string): unknown {
  const served = servedGroups().find((candidate) => candidate.group === group);
  return served && { kind: "APIGroup", apiVersion: "v1", ...groupDocument(served.group, served.version) };
}

export function resourceList(group: string, version: string): unknown {
  const types = RESOURCE_TYPES.filter((type) => type.group === group && type.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion: group === "" ? version : `${group}/${version}`,
    resources: types.flatMap(describe),
  };
}

function describe(type: ResourceType): unknown[] {
  const main = {
    name: type.resource,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: RESOURCE_VERBS,
    ...(type.shortNames.length > 0 && { shortNames: type.shortNames }),
    ...(type.categories.length > 0 && { categories: type.categories }),
  };
  const subresources = type.subresources.map((sub) => ({
    name: `${type.resource}/${sub.name}`,
    singularName: "",
    namespaced: type.namespaced,
    ...(sub.kind === "TokenRequest" && { group: "authentication.k8s.io", version: "v1" }),
    kind: sub.kind,
    verbs: sub.verbs,
  }));
  return [main, ...subresources];
}

/** `/version` for a cluster running the given Kubernetes version ("1.30.6"). */
export function versionInfo(kubernetesVersion: string | undefined): unknown {
  const [major = "1", minor = "30"] = (kubernetesVersion ?? "1.30.6").split(".");
  return {
    major,
    minor,
    gitVersion: `v${kubernetesVersion ?? "1.30.6"}`,
    gitCommit: "0000000000000000000000000000000000000000",
    gitTreeState: "clean",
    buildDate: "2026-01-01T00:00:00Z",
    goVersion: "go1.22.7",
    compiler: "gc",
    platform: "linux/amd64",
  };
}
