/**
 * kubectl as the run-command pod runs it inside a cluster, for the
 * commands the scanner sends:
 *
 *   kubectl get <resource>[,<resource>...] -A -o json
 *   kubectl get <resource> -n <ns> [<name>...] -o json
 *   kubectl logs -n <ns> <pod> -c <container> [--tail=N] [--since=Ns] [--timestamps] [--limit-bytes=N] --prefix
 *
 * `get` prints a List of the objects, managedFields left out as kubectl
 * leaves them out by default (`--show-managed-fields=false`: "If true, keep
 * the managedFields when printing objects in JSON or YAML format"; kubectl
 * 1.21 and later), indented by four spaces as kubectl's JSON printer does.
 * `logs` prefixes each line with `[pod/<pod>/<container>]` and fails with
 * kubectl's error for a container that has not started or a pod that is gone.
 *
 * Sources (kubernetes/kubectl, staging/src/k8s.io/kubectl in kubernetes/kubernetes):
 * pkg/cmd/get/get.go (the `--show-managed-fields` flag, default false, and the
 * List printed for `-o json` over several resources), pkg/cmd/logs/logs.go
 * (`--prefix`: "Prefix each log line with the log source (pod name and
 * container name)").
 */
import type { KubeObject } from "../fleet/model.js";
import { podLog } from "./logs.js";

/** What a command pod sees of its cluster. */
export interface ClusterInside {
  objects: readonly KubeObject[];
  /** The lines of a container's log, if the fleet gives it one. */
  logOf: (namespace: string, pod: string, container: string) => readonly string[] | undefined;
}

export interface CommandRun {
  exitCode: number;
  /**
   * What the command printed to stdout; without `stderr`, everything it
   * printed (a program that fails prints only its error).
   */
  output: string;
  /** What it printed to stderr, when it printed to both (kubectl get of several names, some not found). */
  stderr?: string;
  /** The JSON value `output` prints, when it prints one: what a pipe hands jq without re-parsing. */
  json?: unknown;
}

/** `kubectl get` resource names understood, with the kind of their objects. */
const GETTABLE: Readonly<Record<string, string>> = {
  namespaces: "Namespace",
  serviceaccounts: "ServiceAccount",
  pods: "Pod",
  services: "Service",
  deployments: "Deployment",
  statefulsets: "StatefulSet",
  daemonsets: "DaemonSet",
  replicasets: "ReplicaSet",
  jobs: "Job",
  cronjobs: "CronJob",
  mutatingwebhookconfigurations: "MutatingWebhookConfiguration",
  clusterroles: "ClusterRole",
  clusterrolebindings: "ClusterRoleBinding",
};

export function kubectl(cluster: ClusterInside, args: readonly string[]): CommandRun {
  if (args[0] === "get") return kubectlGet(cluster.objects, args.slice(1));
  if (args[0] === "logs") return kubectlLogs(cluster, args.slice(1));
  return { exitCode: 1, output: `error: the fleet simulator's kubectl understands only "get" and "logs" (got "kubectl ${args.join(" ")}")\n` };
}

interface GetArguments {
  resources: string;
  names: string[];
  /** Undefined with -A. */
  namespace?: string;
}

const GET_USAGE = `the fleet simulator's kubectl understands only "kubectl get <resources> -A -o json", "kubectl get <resources> -n <namespace> -o json" and "kubectl get <resource> -n <namespace> <name>... -o json"`;

function parseGet(args: readonly string[]): GetArguments | string {
  let allNamespaces = false;
  let namespace: string | undefined;
  let json = false;
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "-A" || arg === "--all-namespaces") allNamespaces = true;
    else if (arg === "-n" || arg === "--namespace") namespace = args[++i];
    else if (arg === "-o") json = args[++i] === "json";
    else if (arg.startsWith("-")) return `unknown flag: ${arg}`;
    else words.push(arg);
  }
  const [resources, ...names] = words;
  if (resources === undefined || !json || allNamespaces === (namespace !== undefined)) return GET_USAGE;
  // kubectl's own refusals (pkg/cmd/get/get.go, k8s.io/cli-runtime resource.Builder).
  if (allNamespaces && names.length > 0) return "a resource cannot be retrieved by name across all namespaces";
  if (names.length > 0 && resources.includes(",")) return "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form";
  return { resources, names, ...(namespace !== undefined && { namespace }) };
}

/**
 * `kubectl get`, as kubectl prints it with `-o json` (kubectl
 * pkg/cmd/get/get.go, printGeneric): a List of the objects found, even none;
 * for a single name ("singleItemImplied") the object alone, or only the
 * error when it is not found. Names not found are the API server's NotFound
 * on stderr, one line each, aggregated and returned after the found objects
 * are printed to stdout: the exit status is then 1.
 */
function kubectlGet(objects: readonly KubeObject[], args: readonly string[]): CommandRun {
  const parsed = parseGet(args);
  if (typeof parsed === "string") return { exitCode: 1, output: `error: ${parsed} (got "kubectl get ${args.join(" ")}")\n` };
  const inNamespace = (o: KubeObject) => parsed.namespace === undefined || (o.metadata.namespace ?? "") === parsed.namespace;
  const items: unknown[] = [];
  let notFound = "";
  for (const resource of parsed.resources.split(",")) {
    const kind = GETTABLE[resource];
    if (!kind) return { exitCode: 1, output: `error: the server doesn't have a resource type "${resource}"\n` };
    const ofKind = objects.filter((o) => o.kind === kind && inNamespace(o));
    if (parsed.names.length === 0) {
      ofKind.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
      items.push(...ofKind.map(withoutManagedFields));
      continue;
    }
    const byName = new Map(ofKind.map((o) => [o.metadata.name, o]));
    for (const name of parsed.names) {
      const found = byName.get(name);
      if (found) items.push(withoutManagedFields(found));
      else notFound += `Error from server (NotFound): ${resource} "${name}" not found\n`;
    }
  }
  // A single name implies a single object: printed alone, or, when not found, only the error.
  const singleItemImplied = parsed.names.length === 1 && !parsed.resources.includes(",");
  if (singleItemImplied && items.length === 0) return { exitCode: 1, output: notFound };
  const printed = singleItemImplied ? items[0] : { apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } };
  return {
    exitCode: notFound === "" ? 0 : 1,
    ...(notFound !== "" && { stderr: notFound }),
    json: printed,
    // Indented only when printed: piped into jq, the value itself is handed over.
    get output() {
      return `${JSON.stringify(printed, null, 4)}\n`;
    },
  };
}

function withoutManagedFields(object: KubeObject): KubeObject {
  if (object.metadata.managedFields === undefined) return object;
  const { managedFields: _managedFields, ...metadata } = object.metadata;
  return { ...object, metadata: metadata as KubeObject["metadata"] };
}

function kubectlLogs(cluster: ClusterInside, args: readonly string[]): CommandRun {
  let namespace: string | undefined;
  let container: string | undefined;
  let pod: string | undefined;
  let prefix = false;
  let timestamps = false;
  const numbers: { tailLines?: number; sinceSeconds?: number; limitBytes?: number } = {};
  const number = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "-n") namespace = args[++i];
    else if (arg === "-c") container = args[++i];
    else if (arg === "--prefix") prefix = true;
    else if (arg === "--timestamps") timestamps = true;
    else if (arg.startsWith("--tail=")) numbers.tailLines = number(arg.slice(7));
    else if (arg.startsWith("--since=") && arg.endsWith("s")) numbers.sinceSeconds = number(arg.slice(8, -1));
    else if (arg.startsWith("--limit-bytes=")) numbers.limitBytes = number(arg.slice(14));
    else if (!arg.startsWith("-") && pod === undefined) pod = arg;
    else return { exitCode: 1, output: `error: unknown flag: ${arg}\n` };
  }
  if (namespace === undefined || pod === undefined || container === undefined || !prefix) {
    return { exitCode: 1, output: `error: the fleet simulator's kubectl understands only "kubectl logs -n <namespace> <pod> -c <container> ... --prefix"\n` };
  }
  const object = cluster.objects.find((o) => o.kind === "Pod" && o.metadata.namespace === namespace && o.metadata.name === pod);
  if (!object) return { exitCode: 1, output: `Error from server (NotFound): pods "${pod}" not found\n` };
  const answer = podLog(
    object,
    (name) => cluster.logOf(namespace, pod, name),
    {
      container,
      ...(numbers.tailLines !== undefined && { tailLines: numbers.tailLines }),
      ...(numbers.sinceSeconds !== undefined && { sinceSeconds: numbers.sinceSeconds }),
      ...(numbers.limitBytes !== undefined && { limitBytes: numbers.limitBytes }),
      timestamps,
    },
    new Date(),
  );
  if (!answer.ok) return { exitCode: 1, output: `Error from server (BadRequest): ${answer.message}\n` };
  const lines = answer.text.split("\n").filter((line) => line !== "");
  return { exitCode: 0, output: lines.map((line) => `[pod/${pod}/${container}] ${line}\n`).join("") };
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}
