/**
 * metadata.managedFields as an API server records them: every write through
 * the API (server-side field management, on since Kubernetes 1.18) leaves an
 * entry per manager and operation with the set of fields it owns, in the
 * FieldsV1 encoding ("f:<field>" for a field, "k:<json key>" for an item of a
 * list merged by key, "." for the map or item itself; Kubernetes
 * structured-merge-diff, fieldpath/serialize.go). Real lists carry them for
 * every object; kubectl hides them when printing (`--show-managed-fields`),
 * which is why a fleet written as `kubectl get -o yaml` prints it has none.
 * The simulator adds them where an object has none: its controllers as
 * managers (kube-controller-manager for owned objects and every status,
 * kubelet for pod status), a client (helm or kubectl) for the rest.
 */
import type { KubeObject } from "../fleet/model.js";

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Update" | "Apply";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** Lists whose items merge by a key (the Kubernetes API's patchMergeKey), as managedFields name them. */
const MERGE_KEYS: Readonly<Record<string, readonly string[]>> = {
  containers: ["name"],
  initContainers: ["name"],
  env: ["name"],
  volumes: ["name"],
  volumeMounts: ["mountPath"],
  ports: ["containerPort", "protocol"],
  ownerReferences: ["uid"],
  conditions: ["type"],
  containerStatuses: ["name"],
  podIPs: ["ip"],
  hostIPs: ["ip"],
  webhooks: ["name"],
};

/** Fields that are maps (string keys chosen by users), which FieldsV1 marks with "." as a whole too. */
const MAPS: ReadonlySet<string> = new Set(["labels", "annotations", "matchLabels", "nodeSelector", "selector", "data", "limits", "requests"]);

/** The FieldsV1 set of a value: its fields, recursively; lists merged by key by their items, other lists whole. */
export function fieldsV1(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return {};
  const fields: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const mergeKey = MERGE_KEYS[key];
    if (Array.isArray(child) && mergeKey) {
      const items: Record<string, unknown> = {};
      for (const item of child) {
        if (item === null || typeof item !== "object") continue;
        const record = item as Record<string, unknown>;
        const id = Object.fromEntries(mergeKey.filter((k) => record[k] !== undefined).map((k) => [k, record[k]]));
        items[`k:${JSON.stringify(id)}`] = { ".": {}, ...fieldsV1(item) };
      }
      fields[`f:${key}`] = items;
    } else if (child !== null && typeof child === "object" && !Array.isArray(child)) {
      fields[`f:${key}`] = MAPS.has(key) ? { ".": {}, ...fieldsV1(child) } : fieldsV1(child);
    } else {
      fields[`f:${key}`] = {};
    }
  }
  return fields;
}

/** Object identity of what managedFields are derived from: pods stamped from one prototype share them. */
const cache = new WeakMap<object, ManagedFieldsEntry[]>();

/**
 * The managedFields an API server would hold for this object (its own when it
 * has some). Derived once per spec (or per object without one): objects
 * sharing a spec share the entries, as the generator's pods share their spec.
 */
export function managedFieldsOf(object: KubeObject): ManagedFieldsEntry[] {
  const own = object.metadata.managedFields;
  if (Array.isArray(own)) return own as ManagedFieldsEntry[];
  const key = (typeof object.spec === "object" && object.spec !== null ? object.spec : object) as object;
  let entries = cache.get(key);
  if (entries === undefined) {
    entries = derive(object);
    cache.set(key, entries);
  }
  return entries;
}

/** The object as the API server returns it: with managedFields. */
export function withManagedFields(object: KubeObject): KubeObject {
  if (object.metadata.managedFields !== undefined) return object;
  return { ...object, metadata: { ...object.metadata, managedFields: managedFieldsOf(object) } };
}

function derive(object: KubeObject): ManagedFieldsEntry[] {
  const time = typeof object.metadata.creationTimestamp === "string" ? object.metadata.creationTimestamp : "2025-06-01T09:00:00Z";
  const entry = (manager: string, fields: Record<string, unknown>, subresource?: string): ManagedFieldsEntry => ({
    manager,
    operation: "Update",
    apiVersion: object.apiVersion,
    time,
    fieldsType: "FieldsV1",
    fieldsV1: fields,
    ...(subresource !== undefined && { subresource }),
  });
  const { name: _name, namespace: _namespace, uid: _uid, resourceVersion: _rv, creationTimestamp: _created, generation: _generation, ...written } = object.metadata;
  const { apiVersion: _apiVersion, kind: _kind, metadata: _metadata, status, ...body } = object;
  const owned = Array.isArray(object.metadata.ownerReferences) && object.metadata.ownerReferences.length > 0;
  const writer = owned ? "kube-controller-manager" : object.metadata.labels?.["app.kubernetes.io/managed-by"] === "Helm" ? "helm" : "kubectl-client-side-apply";
  const entries = [entry(writer, { "f:metadata": fieldsV1(written), ...fieldsV1(body) })];
  if (status !== undefined && status !== null && typeof status === "object" && Object.keys(status).length > 0) {
    entries.push(entry(object.kind === "Pod" ? "kubelet" : "kube-controller-manager", { "f:status": fieldsV1(status) }, "status"));
  }
  return entries;
}
