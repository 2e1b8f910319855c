/**
 * What run command prints of a list: not `kubectl get -o json` as it is (a
 * real pod is 5-15 kB with managedFields, probes and status; 512 KiB of
 * output, the most AKS keeps, holds about 75 of them), but each object cut
 * down on the command pod by jq to the fields summarize.ts reads, one object
 * a line, then a trailer line with the count. The command pod ships jq
 * (azure-aks-docs, articles/aks/access-private-cluster.md: "`jq`, `xargs`,
 * `grep`, and `awk` are available for Bash support").
 *
 * The trailer is printed by jq after the last object, so an output without
 * it did not end: kubectl failed (jq read nothing and printed nothing; in a
 * pipeline the shell takes jq's exit status, so the failure shows only here)
 * or AKS cut the output at its limit. Either way the list is not used as if
 * it were whole.
 */
import { WEBHOOK_ENV_NAMES } from "./model.js";
import { USE_MANAGED_IDENTITY_VERB, WORKLOAD_IDENTITY_PREFIX } from "./summarize.js";

/** The key of the trailer line, which no Kubernetes object has. */
export const LIST_END_KEY = "wiscan-list-end";
/** The key of the sizing line (see sizingFilter). */
export const SIZES_KEY = "wiscan-sizes";
/** The key of the line with each object's size (see objectSizesFilter). */
export const OBJECT_SIZES_KEY = "wiscan-object-sizes";

const jqString = (text: string): string => JSON.stringify(text);

/**
 * jq definitions: `keep` drops null fields (jq's `{a}` gives `"a": null` for a
 * missing field, which the summaries would read as present); the rest mirror
 * namespaceSummary, serviceAccountSummary, podSummary, workloadSummary,
 * serviceSummary, webhookDeployment and workloadIdentityWebhook.
 */
const DEFINITIONS = [
  "def keep: with_entries(select(.value != null));",
  `def wi: (. // {}) | with_entries(select(.key | startswith(${jqString(WORKLOAD_IDENTITY_PREFIX)})));`,
  "def meta: .metadata | {name, namespace, labels, annotations: (.annotations | wi), creationTimestamp, ownerReferences: (if .ownerReferences then [.ownerReferences[] | {kind, name, controller} | keep] else null end)} | keep;",
  `def env: [(. // [])[] | select(.name | IN(${WEBHOOK_ENV_NAMES.map(jqString).join(", ")})) | {name, value, valueFrom: (if .valueFrom then {} else null end)} | keep];`,
  "def container: {name, env: (.env | env), volumeMounts: [(.volumeMounts // [])[] | {mountPath}]};",
  "def tokens: [(.volumes // [])[] | select([(.projected.sources // [])[] | .serviceAccountToken] | any) | {name, projected: {sources: [.projected.sources[] | select(.serviceAccountToken) | {serviceAccountToken}]}}];",
  "def podspec: (. // {}) | {serviceAccountName, serviceAccount, hostNetwork, initContainers: [(.initContainers // [])[] | container], containers: [(.containers // [])[] | container], volumes: tokens} | keep;",
  "def template: (. // {}) | {metadata: ((.metadata // {}) | {labels, annotations: (.annotations | wi)} | keep), spec: (.spec | podspec)};",
  "def replicas: (.status // null) as $s | {kind, metadata: meta, spec: ({replicas: .spec.replicas, template: (.spec.template | template)} | keep), status: (if $s then ($s | {readyReplicas, desiredNumberScheduled, numberReady} | keep) else null end)} | keep;",
  "def webhook: {name, namespaceSelector, objectSelector, failurePolicy, clientConfig: {service: .clientConfig.service}} | keep;",
].join(" ");

/** One object as the summaries need it, whatever its kind. */
const PROJECT = [
  'if .kind == "Pod" then {kind, metadata: meta, spec: (.spec | podspec), status: ({phase: .status.phase} | keep)}',
  'elif .kind == "CronJob" then {kind, metadata: meta, spec: {jobTemplate: {spec: {template: (.spec.jobTemplate.spec.template | template)}}}}',
  'elif .kind == "Deployment" or .kind == "StatefulSet" or .kind == "DaemonSet" or .kind == "ReplicaSet" or .kind == "Job" then replicas',
  'elif .kind == "Service" then {kind, metadata: meta, spec: ({selector: .spec.selector} | keep)}',
  'elif .kind == "MutatingWebhookConfiguration" then {kind, metadata: {name: .metadata.name}, webhooks: [(.webhooks // [])[] | webhook]}',
  `elif .kind == "ClusterRole" then {kind, metadata: {name: .metadata.name}, rules: [(.rules // [])[] | select(any((.verbs // [])[]; . == ${jqString(USE_MANAGED_IDENTITY_VERB)} or . == "*")) | {verbs, apiGroups, resources, resourceNames} | keep]}`,
  'elif .kind == "ClusterRoleBinding" then {kind, metadata: {name: .metadata.name}, roleRef: {kind: .roleRef.kind, name: .roleRef.name}, subjects: [(.subjects // [])[] | {kind, name, namespace} | keep]}',
  "else {kind, metadata: meta} end",
].join(" ");

/** Which objects of the list a command prints: all, or those of some namespaces ("" for cluster-scoped objects). */
export type ListSelection = { all: true } | { namespaces: readonly string[] };

function selectNamespaces(selection: ListSelection): string {
  if ("all" in selection) return "";
  return `select((.metadata.namespace // "") | IN(${selection.namespaces.map(jqString).join(", ")})) | `;
}

/**
 * kubectl's objects, whatever it printed: a List, or for a single name the
 * object alone (kubectl get.go, printGeneric: "singleItemImplied").
 */
const OBJECTS = "(if .kind == \"List\" then .items else [.] end)";

/** The jq program that prints the selected objects projected, one a line, then the trailer. */
export function projectionFilter(selection: ListSelection): string {
  return `${DEFINITIONS} ([${OBJECTS}[] | ${selectNamespaces(selection)}${PROJECT}]) as $kept | ($kept[]), {${jqString(LIST_END_KEY)}: ($kept | length)}`;
}

/**
 * The jq program that prints, on one line, each object's name and how many
 * bytes it takes projected: what reading a namespace too large for one
 * command by name packs into commands that fit.
 */
export function objectSizesFilter(): string {
  return `${DEFINITIONS} {${jqString(OBJECT_SIZES_KEY)}: [${OBJECTS}[] | {name: .metadata.name, bytes: (${PROJECT} | tojson | utf8bytelength + 1)}]}`;
}

/**
 * The jq program that prints, on one line, how many bytes the projected
 * objects of each namespace take: what paging by namespace packs into
 * commands that fit.
 */
export function sizingFilter(): string {
  return `${DEFINITIONS} {${jqString(SIZES_KEY)}: ([.items[] | {namespace: (.metadata.namespace // ""), bytes: (${PROJECT} | tojson | utf8bytelength + 1)}] | group_by(.namespace) | map({namespace: .[0].namespace, count: length, bytes: (map(.bytes) | add)}))}`;
}

/** Single quotes for the shell: the filters hold no single quote (checked); names are checked before they are embedded. */
export function shellQuoted(text: string): string {
  if (text.includes("'")) throw new Error("a jq filter sent through run command must not contain a single quote");
  return `'${text}'`;
}

/** A namespace name as Kubernetes allows it (RFC 1123 label): the only kind embedded in a command. */
export function isNamespaceName(name: string): boolean {
  return name === "" || /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name);
}

/**
 * An object name as Kubernetes allows it for pods and most kinds (a DNS
 * subdomain, RFC 1123: at most 253 characters, lower-case alphanumerics, '-'
 * and '.'): nothing else from a cluster is put on a command line.
 */
export function isObjectName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name);
}

export interface ParsedListOutput {
  /** The objects printed, in order. */
  items: unknown[];
  /** True when the trailer was printed with the number of objects seen. */
  complete: boolean;
  /** Lines that were not objects (kubectl's errors and warnings), for the message. */
  otherLines: string[];
}

/** The lines of a projected list: objects, the trailer, and anything kubectl printed beside them. */
export function parseListOutput(logs: string): ParsedListOutput {
  const items: unknown[] = [];
  const otherLines: string[] = [];
  let complete = false;
  for (const line of logs.split("\n")) {
    if (line.trim() === "") continue;
    if (!line.startsWith("{")) {
      otherLines.push(line);
      continue;
    }
    // A line cut short by AKS's limit is no object, and no message either.
    const value = parseLine(line);
    if (value === undefined) continue;
    const end = (value as Record<string, unknown>)[LIST_END_KEY];
    if (typeof end === "number") complete = end === items.length;
    else items.push(value);
  }
  return { items, complete, otherLines };
}

export interface NamespaceSize {
  namespace: string;
  count: number;
  bytes: number;
}

export interface ObjectSize {
  name: string;
  bytes: number;
}

export function parseSizes(logs: string): NamespaceSize[] | undefined {
  return sizesLine(logs, SIZES_KEY, (s): s is NamespaceSize => isRecord(s) && typeof s.namespace === "string" && typeof s.count === "number" && typeof s.bytes === "number");
}

export function parseObjectSizes(logs: string): ObjectSize[] | undefined {
  return sizesLine(logs, OBJECT_SIZES_KEY, (s): s is ObjectSize => isRecord(s) && typeof s.name === "string" && typeof s.bytes === "number");
}

function sizesLine<T>(logs: string, key: string, isSize: (value: unknown) => value is T): T[] | undefined {
  for (const line of logs.split("\n")) {
    const value = line.startsWith("{") ? parseLine(line) : undefined;
    const sizes = (value as Record<string, unknown> | undefined)?.[key];
    if (Array.isArray(sizes)) return sizes.filter(isSize);
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** One command of a paged read: a run of whole namespaces, or one namespace read by name. */
export type PageRead = { namespaces: string[] } | { alone: NamespaceSize };

/**
 * Namespaces packed, in the order given (the API's), into runs whose
 * projected objects fit `budget` bytes; a namespace larger than the budget
 * stays in its place, alone, to be read by name.
 */
export function packNamespaces(sizes: readonly NamespaceSize[], budget: number): PageRead[] {
  const reads: PageRead[] = [];
  let current: string[] = [];
  let used = 0;
  const flush = () => {
    if (current.length > 0) reads.push({ namespaces: current });
    current = [];
    used = 0;
  };
  for (const size of sizes) {
    if (size.bytes > budget) {
      flush();
      reads.push({ alone: size });
      continue;
    }
    if (used + size.bytes > budget) flush();
    current.push(size.namespace);
    used += size.bytes;
  }
  flush();
  return reads;
}

/**
 * Names packed, in the order given, into runs whose projected objects fit
 * `budget` bytes and whose names, on the command line, fit `maxNameChars`;
 * an object larger than the budget alone is returned apart: it cannot be
 * read through run command.
 */
export function packNames(sizes: readonly ObjectSize[], budget: number, maxNameChars: number): { batches: string[][]; tooLarge: ObjectSize[] } {
  const batches: string[][] = [];
  const tooLarge: ObjectSize[] = [];
  let current: string[] = [];
  let used = 0;
  let chars = 0;
  for (const size of sizes) {
    if (size.bytes > budget) {
      tooLarge.push(size);
      continue;
    }
    if (current.length > 0 && (used + size.bytes > budget || chars + size.name.length + 1 > maxNameChars)) {
      batches.push(current);
      current = [];
      used = 0;
      chars = 0;
    }
    current.push(size.name);
    used += size.bytes;
    chars += size.name.length + 1;
  }
  if (current.length > 0) batches.push(current);
  return { batches, tooLarge };
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}
