/**
 * Reading the lists through run command within its 512 KiB of output: one
 * projected command per group of resources; when AKS cut that output, the
 * projected size of each namespace is asked for and the namespaces are read
 * again in runs that fit. A namespace too large for one command is read by
 * name: the size of each of its objects first, then the objects a batch of
 * names at a time. Only an object too large for a command alone, or a
 * namespace too large in a group of several resources, is a gap named by
 * namespace (coverage partial), never a shorter list taken for the whole.
 */
import type { SnapshotResource } from "./collect.js";
import { scrub } from "./errors.js";
import type { CollectionError, CollectionErrorKind } from "./model.js";
import {
  isNamespaceName,
  isObjectName,
  objectSizesFilter,
  packNames,
  packNamespaces,
  parseListOutput,
  parseObjectSizes,
  parseSizes,
  projectionFilter,
  shellQuoted,
  sizingFilter,
  type ListSelection,
  type NamespaceSize,
} from "./run-command-projection.js";

/** What AKS keeps of a command's output (azure-aks-docs, access-private-cluster.md: "The output for `command invoke` is limited to 512kB in size"). */
export const RUN_COMMAND_OUTPUT_LIMIT_BYTES = 512 * 1024;
/**
 * An output that did not end and is at least this long was cut by AKS: a
 * little under the limit, whichever way AKS counts a kB (512,000 or 524,288
 * bytes).
 */
const CUT_THRESHOLD_BYTES = 500 * 1000;
/** What one paged command may print: room under the limit for objects created meanwhile and kubectl's warnings. */
export const PAGE_BUDGET_BYTES = 400 * 1000;
/**
 * The names one command may carry: 16,000 characters, about 250 pod names
 * of a Deployment. A command line this long passes anywhere (Linux takes
 * 128 kB for one argument); run command documents no limit of its own.
 */
export const NAMES_PER_COMMAND_CHARS = 16_000;

/**
 * The lists, grouped so that few commands run (each starts a pod); pods, the
 * largest, go alone.
 */
export const RUN_COMMAND_LISTS: ReadonlyArray<readonly SnapshotResource[]> = [
  ["namespaces", "serviceaccounts", "services", "mutatingwebhookconfigurations"],
  ["deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"],
  ["pods"],
];

export const API_GROUP: Readonly<Record<SnapshotResource, string>> = {
  namespaces: "",
  serviceaccounts: "",
  pods: "",
  services: "",
  deployments: "apps",
  statefulsets: "apps",
  daemonsets: "apps",
  replicasets: "apps",
  jobs: "batch",
  cronjobs: "batch",
  mutatingwebhookconfigurations: "admissionregistration.k8s.io",
  clusterroles: "rbac.authorization.k8s.io",
  clusterrolebindings: "rbac.authorization.k8s.io",
};

/** Read after the others, and only when some pod opts in to identity binding (see collect.ts). */
export const RUN_COMMAND_RBAC_LISTS: readonly SnapshotResource[] = ["clusterroles", "clusterrolebindings"];

export type CommandOutcome = { ok: true; logs: string } | { ok: false; error: CommandFailure };

export interface CommandFailure {
  kind: CollectionErrorKind;
  message: string;
  httpStatus?: number;
  /** True when ARM itself refused or failed (the command never ran in the cluster). */
  arm: boolean;
}

/** `kubectl get <resources> -A -o json`, projected on the command pod (see run-command-projection.ts). */
export function kubectlListCommand(resources: readonly SnapshotResource[], selection: ListSelection = { all: true }): string {
  return `kubectl get ${resources.join(",")} -A -o json | jq -c ${shellQuoted(projectionFilter(selection))}`;
}

/** How many bytes each namespace's projected objects of these resources take. */
export function kubectlSizingCommand(resources: readonly SnapshotResource[]): string {
  return `kubectl get ${resources.join(",")} -A -o json | jq -c ${shellQuoted(sizingFilter())}`;
}

/** The name and projected size of each object of one resource in one namespace. */
export function kubectlObjectSizesCommand(resource: SnapshotResource, namespace: string): string {
  return `kubectl get ${resource} -n ${checkedName(namespace, isNamespaceName)} -o json | jq -c ${shellQuoted(objectSizesFilter())}`;
}

/** Some objects of one namespace, by name, projected. */
export function kubectlByNameCommand(resource: SnapshotResource, namespace: string, names: readonly string[]): string {
  const listed = names.map((name) => checkedName(name, isObjectName)).join(" ");
  return `kubectl get ${resource} -n ${checkedName(namespace, isNamespaceName)} ${listed} -o json | jq -c ${shellQuoted(projectionFilter({ all: true }))}`;
}

/** Only names Kubernetes allows go on a command line: a value from the cluster is hostile. */
function checkedName(name: string, allowed: (name: string) => boolean): string {
  if (name === "" || !allowed(name)) throw new Error(`not a Kubernetes name, not put on a command line: ${JSON.stringify(name.slice(0, 80))}`);
  return name;
}

export interface ListsRead {
  resources: readonly SnapshotResource[];
  /** The objects read; undefined when none of the group could be read. */
  objects?: unknown[];
  errors: CollectionError[];
}

/**
 * One group of lists: whole when it fits, else paged by namespace.
 *
 * @example
 *   const { objects, errors } = await readLists((command) => runner.run(command), ["pods"]);
 */
export async function readLists(run: Run, resources: readonly SnapshotResource[]): Promise<ListsRead> {
  const whole = await readOnce(run, resources, kubectlListCommand(resources));
  if (whole.outcome === "read") return { resources, objects: whole.objects, errors: [] };
  if (whole.outcome === "failed") return { resources, errors: resources.map((resource) => whole.error(resource)) };

  const sizing = await run(kubectlSizingCommand(resources));
  const sizes = sizing.ok ? parseSizes(sizing.logs) : undefined;
  if (sizes === undefined || sizes.some((size) => !isNamespaceName(size.namespace))) {
    const why = sizing.ok ? "the size of each namespace could not be read" : `the sizes could not be read: ${sizing.error.message}`;
    return { resources, errors: resources.map((resource) => cutError(resource, undefined, `${outputCut(resources)}, and ${why}`)) };
  }
  const pages = await Promise.all(
    packNamespaces(sizes, PAGE_BUDGET_BYTES).map((page) => ("alone" in page ? readByName(run, resources, page.alone) : readNamespaces(run, resources, page.namespaces))),
  );
  return { resources, objects: pages.flatMap((page) => page.objects ?? []), errors: pages.flatMap((page) => page.errors) };
}

/** A run of whole namespaces in one command. */
async function readNamespaces(run: Run, resources: readonly SnapshotResource[], namespaces: readonly string[]): Promise<ListsRead> {
  const page = await readOnce(run, resources, kubectlListCommand(resources, { namespaces }));
  if (page.outcome === "read") return { resources, objects: page.objects, errors: [] };
  return { resources, errors: namespaces.flatMap((namespace) => resources.map((resource) => page.error(resource, namespace))) };
}

/**
 * A namespace too large for one command, read by name: each object's
 * projected size first (one short line), then batches of names that fit. A
 * name listed but deleted before its batch is read is absent, as kubectl
 * reports it (NotFound on stderr, the others printed): the object is gone,
 * the namespace is read. Only an object too large alone, or a group of
 * several resources (kubectl reads names of one resource), stays a gap.
 */
async function readByName(run: Run, resources: readonly SnapshotResource[], size: NamespaceSize): Promise<ListsRead> {
  const gap = (message: string): ListsRead => ({ resources, errors: resources.map((resource) => cutError(resource, size.namespace, message)) });
  const tooLarge = `${outputCut(resources)}: namespace ${size.namespace || "(cluster-scoped objects)"} alone holds ${size.count} objects, ${Math.round(size.bytes / 1000)} kB even cut down to the fields the checks read`;
  const [resource] = resources;
  if (resource === undefined || resources.length > 1 || size.namespace === "") return gap(tooLarge);

  const sizing = await run(kubectlObjectSizesCommand(resource, size.namespace));
  const sizes = sizing.ok ? parseObjectSizes(sizing.logs) : undefined;
  if (sizes === undefined || sizes.some((object) => !isObjectName(object.name))) {
    const why = sizing.ok ? "the size of each of its objects could not be read" : `the size of each of its objects could not be read: ${sizing.error.message}`;
    return gap(`${tooLarge}, and ${why}`);
  }
  const { batches, tooLarge: alone } = packNames(sizes, PAGE_BUDGET_BYTES, NAMES_PER_COMMAND_CHARS);
  const pages = await Promise.all(batches.map((names) => readOnce(run, resources, kubectlByNameCommand(resource, size.namespace, names), true)));
  const objects: unknown[] = [];
  const errors: CollectionError[] = alone.map((object) =>
    cutError(resource, size.namespace, `${outputCut(resources)}: ${resource} ${object.name} in namespace ${size.namespace} alone takes ${Math.round(object.bytes / 1000)} kB even cut down to the fields the checks read`),
  );
  for (const page of pages) {
    if (page.outcome === "read") objects.push(...page.objects);
    else errors.push(page.error(resource, size.namespace));
  }
  return { resources, objects, errors: dedupe(errors) };
}

/** One error per kind and target: several batches of a namespace that failed the same way are one gap. */
function dedupe(errors: readonly CollectionError[]): CollectionError[] {
  const seen = new Set<string>();
  return errors.filter((error) => {
    const key = `${error.kind}|${error.resource}|${error.verb}|${error.namespace ?? ""}|${error.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Run = (command: string) => Promise<CommandOutcome>;

type OnceRead =
  | { outcome: "read"; objects: unknown[] }
  | { outcome: "cut" | "failed"; error: (resource: SnapshotResource, namespace?: string) => CollectionError };

async function readOnce(run: Run, resources: readonly SnapshotResource[], command: string, byName = false): Promise<OnceRead> {
  const result = await run(command);
  if (!result.ok) {
    const failure = result.error;
    return { outcome: "failed", error: (resource, namespace) => withNamespace(listError(resource, failure), namespace) };
  }
  const parsed = parseListOutput(result.logs);
  if (parsed.complete) return { outcome: "read", objects: parsed.items };
  if (Buffer.byteLength(result.logs) >= CUT_THRESHOLD_BYTES) {
    return { outcome: "cut", error: (resource, namespace) => cutError(resource, namespace, outputCut(resources)) };
  }
  // A single name that is gone: kubectl prints only its NotFound (a single name implies a single object), nothing for jq.
  if (byName && parsed.otherLines.length > 0 && parsed.otherLines.every((line) => line.startsWith("Error from server (NotFound): "))) return { outcome: "read", objects: [] };
  // kubectl failed before jq saw a list (jq, last in the pipeline, still ended with 0): its own words say why.
  const said = parsed.otherLines.join("\n");
  const message = said.trim() === "" ? `"kubectl get ${resources.join(",")}" printed no list` : scrub(firstLines(said));
  const failure: CommandFailure = { kind: kindOfKubectlError(said), message, arm: false };
  return { outcome: "failed", error: (resource, namespace) => withNamespace(listError(resource, failure), namespace) };
}

function outputCut(resources: readonly SnapshotResource[]): string {
  return `the output of "kubectl get ${resources.join(",")}" exceeded run command's 512 KiB limit and was cut`;
}

function cutError(resource: SnapshotResource, namespace: string | undefined, message: string): CollectionError {
  return { kind: "error", resource, verb: "list", group: API_GROUP[resource], ...(namespace && { namespace }), message };
}

function withNamespace(error: CollectionError, namespace: string | undefined): CollectionError {
  return namespace && error.verb === "list" ? { ...error, namespace } : error;
}

/** The ARM action run command needs, as scan.forbidden names permissions. */
export const RUN_COMMAND_ACTION = { resource: "Microsoft.ContainerService/managedClusters/runCommand", verb: "action", group: "Microsoft.ContainerService" };

export function listError(resource: SnapshotResource, failure: CommandFailure): CollectionError {
  // When ARM refused, the permission missing is run command's, not the list's.
  if (failure.arm) return { kind: failure.kind, ...RUN_COMMAND_ACTION, message: failure.message, ...(failure.httpStatus !== undefined && { httpStatus: failure.httpStatus }) };
  return { kind: failure.kind, resource, verb: "list", group: API_GROUP[resource], message: failure.message };
}

/** kubectl's own words for a refusal. */
export function kindOfKubectlError(logs: string): CollectionErrorKind {
  if (/\bforbidden\b/i.test(logs)) return "forbidden";
  if (/\bUnauthorized\b/.test(logs)) return "unauthorized";
  return "error";
}

export function firstLines(text: string): string {
  return text.split("\n").filter((line) => line.trim() !== "").slice(0, 3).join(" ");
}
