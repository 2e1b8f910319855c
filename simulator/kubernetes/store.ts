/**
 * One cluster's objects, indexed once per kind in etcd key order
 * (namespace, then name) so that a namespace is a contiguous slice, lists page
 * by position and gets are binary searches. Objects are kept as the fleet
 * holds them: nothing is copied or serialized ahead of a request.
 */
import type { KubeObject } from "../fleet/model.js";
import { RESOURCE_NAMES, resourceTypeOf, type ResourceName } from "./resources.js";

export interface ResourceIndex {
  /** Sorted by namespace, then name. */
  items: KubeObject[];
  /** Namespace -> [start, end) in items. Cluster-scoped kinds have one entry, "". */
  namespaces: Map<string, readonly [number, number]>;
}

export interface ClusterStore {
  name: string;
  /** The list resourceVersion: the highest object resourceVersion seen. */
  resourceVersion: number;
  resources: Record<ResourceName, ResourceIndex>;
}

export function indexCluster(name: string, objects: readonly KubeObject[]): ClusterStore {
  const grouped = Object.fromEntries(RESOURCE_NAMES.map((resource) => [resource, [] as KubeObject[]])) as Record<ResourceName, KubeObject[]>;
  let resourceVersion = 1;
  for (const object of objects) {
    const type = resourceTypeOf(object.apiVersion, object.kind);
    if (!type) continue;
    grouped[type.resource].push(object);
    const version = Number(object.metadata.resourceVersion);
    if (Number.isSafeInteger(version) && version > resourceVersion) resourceVersion = version;
  }
  const resources = Object.fromEntries(
    RESOURCE_NAMES.map((resource) => [resource, buildIndex(grouped[resource])]),
  ) as Record<ResourceName, ResourceIndex>;
  return { name, resourceVersion, resources };
}

function buildIndex(items: KubeObject[]): ResourceIndex {
  items.sort((a, b) => compareKeys(keyOf(a), keyOf(b)));
  const namespaces = new Map<string, readonly [number, number]>();
  let start = 0;
  for (let i = 1; i <= items.length; i++) {
    const previous = items[i - 1]?.metadata.namespace ?? "";
    if (i === items.length || (items[i]?.metadata.namespace ?? "") !== previous) {
      namespaces.set(previous, [start, i]);
      start = i;
    }
  }
  return { items, namespaces };
}

export function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** [start, end) of one namespace, or of everything when namespace is undefined. */
export function rangeOf(index: ResourceIndex, namespace: string | undefined): readonly [number, number] {
  if (namespace === undefined) return [0, index.items.length];
  return index.namespaces.get(namespace) ?? [0, 0];
}

/** The first position in [start, end) whose key is >= key. */
export function lowerBound(index: ResourceIndex, start: number, end: number, key: string): number {
  let low = start;
  let high = end;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const item = index.items[middle];
    if (item && compareKeys(keyOf(item), key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function findObject(index: ResourceIndex, namespace: string | undefined, name: string): KubeObject | undefined {
  const [start, end] = rangeOf(index, namespace ?? "");
  const key = `${namespace ?? ""}/${name}`;
  const position = lowerBound(index, start, end, key);
  const item = index.items[position];
  return position < end && item && keyOf(item) === key ? item : undefined;
}
