/**
 * Server-side printing: the `meta.k8s.io/v1` Table that kubectl asks for, with
 * the columns kubectl shows for each kind. Cells are computed per page only.
 */
import type { KubeObject } from "../fleet/model.js";
import type { ResourceName } from "./resources.js";

interface Column {
  name: string;
  type: "string" | "integer";
  format?: "name";
  /** 0: shown by default; 1: only with -o wide. */
  priority: 0 | 1;
  cell(object: KubeObject, now: number): string | number;
}

const name: Column = { name: "Name", type: "string", format: "name", priority: 0, cell: (o) => o.metadata.name };
const age: Column = { name: "Age", type: "string", priority: 0, cell: (o, now) => ageOf(o, now) };
const column = (title: string, cell: Column["cell"], priority: 0 | 1 = 0, type: Column["type"] = "string"): Column => ({ name: title, type, priority, cell });

const COLUMNS: Record<ResourceName, Column[]> = {
  namespaces: [name, column("Status", (o) => str(o, "status", "phase") || "Active"), age],
  serviceaccounts: [name, column("Secrets", (o) => (Array.isArray(o.secrets) ? o.secrets.length : 0), 0, "integer"), age],
  pods: [
    name,
    column("Ready", (o) => `${containerStatuses(o).filter((s) => s.ready === true).length}/${containers(o).length}`),
    column("Status", podStatus),
    column("Restarts", (o) => containerStatuses(o).reduce((sum, s) => sum + (typeof s.restartCount === "number" ? s.restartCount : 0), 0), 0, "integer"),
    age,
    column("IP", (o) => str(o, "status", "podIP") || "<none>", 1),
    column("Node", (o) => str(o, "spec", "nodeName") || "<none>", 1),
  ],
  services: [
    name,
    column("Type", (o) => str(o, "spec", "type") || "ClusterIP"),
    column("Cluster-IP", (o) => str(o, "spec", "clusterIP") || "<none>"),
    column("External-IP", () => "<none>"),
    column("Port(s)", servicePorts),
    age,
  ],
  configmaps: [name, column("Data", (o) => (isRecord(o.data) ? Object.keys(o.data).length : 0), 0, "integer"), age],
  deployments: [
    name,
    column("Ready", (o) => `${num(o, "status", "readyReplicas")}/${num(o, "spec", "replicas", 1)}`),
    column("Up-to-date", (o) => num(o, "status", "updatedReplicas"), 0, "integer"),
    column("Available", (o) => num(o, "status", "availableReplicas"), 0, "integer"),
    age,
  ],
  statefulsets: [name, column("Ready", (o) => `${num(o, "status", "readyReplicas")}/${num(o, "spec", "replicas", 1)}`), age],
  daemonsets: [
    name,
    column("Desired", (o) => num(o, "status", "desiredNumberScheduled"), 0, "integer"),
    column("Current", (o) => num(o, "status", "currentNumberScheduled"), 0, "integer"),
    column("Ready", (o) => num(o, "status", "numberReady"), 0, "integer"),
    column("Up-to-date", (o) => num(o, "status", "updatedNumberScheduled"), 0, "integer"),
    column("Available", (o) => num(o, "status", "numberAvailable"), 0, "integer"),
    age,
  ],
  replicasets: [
    name,
    column("Desired", (o) => num(o, "spec", "replicas", 1), 0, "integer"),
    column("Current", (o) => num(o, "status", "replicas"), 0, "integer"),
    column("Ready", (o) => num(o, "status", "readyReplicas"), 0, "integer"),
    age,
  ],
  jobs: [
    name,
    column("Status", jobStatus),
    column("Completions", (o) => `${num(o, "status", "succeeded")}/${num(o, "spec", "completions", 1)}`),
    age,
  ],
  cronjobs: [
    name,
    column("Schedule", (o) => str(o, "spec", "schedule")),
    column("Suspend", (o) => String(record(o, "spec").suspend === true)),
    column("Active", (o) => (Array.isArray(record(o, "status").active) ? (record(o, "status").active as unknown[]).length : 0), 0, "integer"),
    column("Last Schedule", (o, now) => sinceTimestamp(str(o, "status", "lastScheduleTime"), now)),
    age,
  ],
  mutatingwebhookconfigurations: [name, column("Webhooks", (o) => (Array.isArray(o.webhooks) ? o.webhooks.length : 0), 0, "integer"), age],
  // kubernetes pkg/printers/internalversion/printers.go: clusterRoleColumnDefinitions, clusterRoleBindingColumnDefinitions.
  clusterroles: [name, column("Created At", (o) => String(o.metadata.creationTimestamp ?? ""))],
  clusterrolebindings: [name, column("Role", (o) => `${str(o, "roleRef", "kind")}/${str(o, "roleRef", "name")}`), age],
};

export type IncludeObject = "None" | "Metadata" | "Object";

export function toTable(
  resource: ResourceName,
  objects: readonly KubeObject[],
  listMetadata: Record<string, unknown>,
  includeObject: IncludeObject,
  now: Date,
): unknown {
  const columns = COLUMNS[resource];
  const nowMs = now.getTime();
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: listMetadata,
    columnDefinitions: columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: "", priority: c.priority })),
    rows: objects.map((object) => ({
      cells: columns.map((c) => c.cell(object, nowMs)),
      ...(includeObject !== "None" && { object: includeObject === "Object" ? object : partialMetadata(object) }),
    })),
  };
}

function partialMetadata(object: KubeObject): unknown {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata };
}

/** Accept headers like `application/json;as=Table;v=v1;g=meta.k8s.io,application/json`. */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((range) => {
    const params = range.split(";").map((p) => p.trim());
    return params.includes("as=Table") && params.includes("g=meta.k8s.io") && (params.includes("v=v1") || params.includes("v=v1beta1"));
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function record(object: KubeObject, section: string): Record<string, unknown> {
  const value = object[section];
  return isRecord(value) ? value : {};
}

function str(object: KubeObject, section: string, field: string): string {
  const value = record(object, section)[field];
  return typeof value === "string" ? value : "";
}

function num(object: KubeObject, section: string, field: string, fallback = 0): number {
  const value = record(object, section)[field];
  return typeof value === "number" ? value : fallback;
}

function containers(pod: KubeObject): unknown[] {
  const list = record(pod, "spec").containers;
  return Array.isArray(list) ? list : [];
}

function containerStatuses(pod: KubeObject): Array<Record<string, unknown>> {
  const list = record(pod, "status").containerStatuses;
  return Array.isArray(list) ? list.filter(isRecord) : [];
}

function podStatus(pod: KubeObject): string {
  if (pod.metadata.deletionTimestamp) return "Terminating";
  for (const status of containerStatuses(pod)) {
    const state = isRecord(status.state) ? status.state : {};
    const waiting = isRecord(state.waiting) ? state.waiting : undefined;
    if (waiting && typeof waiting.reason === "string") return waiting.reason;
  }
  return str(pod, "status", "reason") || str(pod, "status", "phase") || "Unknown";
}

function jobStatus(job: KubeObject): string {
  const conditions = record(job, "status").conditions;
  if (Array.isArray(conditions)) {
    for (const condition of conditions.filter(isRecord)) {
      if (condition.status === "True" && (condition.type === "Complete" || condition.type === "Failed")) return condition.type;
    }
  }
  return "Running";
}

function servicePorts(service: KubeObject): string {
  const ports = record(service, "spec").ports;
  if (!Array.isArray(ports) || ports.length === 0) return "<none>";
  return ports
    .filter(isRecord)
    .map((p) => `${String(p.port)}${typeof p.nodePort === "number" ? `:${p.nodePort}` : ""}/${typeof p.protocol === "string" ? p.protocol : "TCP"}`)
    .join(",");
}

function ageOf(object: KubeObject, now: number): string {
  const created = object.metadata.creationTimestamp;
  return sinceTimestamp(typeof created === "string" ? created : "", now);
}

function sinceTimestamp(timestamp: string, now: number): string {
  const then = Date.parse(timestamp);
  return Number.isNaN(then) ? "<unknown>" : humanDuration(now - then);
}

/** kubectl's HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (days < 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (years < 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}
