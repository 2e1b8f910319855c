/**
 * AKS run command (`POST .../managedClusters/{name}/runCommand`, then
 * `GET .../commandResults/{id}`): the command runs "inside" the cluster, so a
 * cluster whose API server the scanner cannot dial (a private cluster, or a
 * `kubernetes` unreachable fault) still answers here. Only the commands the
 * scanner sends are understood:
 *
 *   kubectl get <resource>[,<resource>...] -A -o json
 *   kubectl logs -n <ns> <pod> -c <container> [--tail=N] [--since=Ns] [--timestamps] [--limit-bytes=N] --prefix [|| echo <words>] [ ; kubectl logs ... ]
 *
 * joined as a shell joins them: `a ; b` runs both and ends with b's exit
 * status, `a || b` runs b only when a failed. A log read of a container that
 * has not started or of a pod that is gone fails on its own with kubectl's
 * error ("Error from server (BadRequest): container ... is waiting to start",
 * "Error from server (NotFound): pods ... not found") and the next read goes
 * on. Anything else ends with exit code 1 and an error in the logs, as a
 * shell in the command pod would. Output is cut at 512 KiB, as AKS cuts it.
 *
 * A cluster with apiServerAccessProfile.disableRunCommand refuses every
 * command (azure-cli 2.76.0 added `az aks create/update --disable-run-command`
 * "to disable run command feature for the cluster"; ARM
 * ManagedClusterAPIServerAccessProfile.disableRunCommand).
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { ArmObject, KubeObject } from "../fleet/model.js";
import { sendJson } from "../http.js";
import { podLog } from "../kubernetes/logs.js";
import { AKS_SERVER_APP_ID, type AzureContext } from "./context.js";
import { sendArmError } from "./arm-errors.js";

/** AKS returns at most this much of a command's output. */
export const RUN_COMMAND_OUTPUT_LIMIT_BYTES = 512 * 1024;

/** `kubectl get` resource names understood, with the kind and API version of their objects. */
const GETTABLE: Readonly<Record<string, { kind: string; namespaced: boolean }>> = {
  namespaces: { kind: "Namespace", namespaced: false },
  serviceaccounts: { kind: "ServiceAccount", namespaced: true },
  pods: { kind: "Pod", namespaced: true },
  services: { kind: "Service", namespaced: true },
  deployments: { kind: "Deployment", namespaced: true },
  statefulsets: { kind: "StatefulSet", namespaced: true },
  daemonsets: { kind: "DaemonSet", namespaced: true },
  replicasets: { kind: "ReplicaSet", namespaced: true },
  jobs: { kind: "Job", namespaced: true },
  cronjobs: { kind: "CronJob", namespaced: true },
  mutatingwebhookconfigurations: { kind: "MutatingWebhookConfiguration", namespaced: false },
};

interface CommandResult {
  id: string;
  provisioningState: "Succeeded" | "Failed";
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  logs: string;
  reason?: string;
}

/** Results by command id, per simulator instance. */
const resultsByContext = new WeakMap<AzureContext, Map<string, CommandResult>>();

function resultsOf(ctx: AzureContext): Map<string, CommandResult> {
  let results = resultsByContext.get(ctx);
  if (!results) {
    results = new Map();
    resultsByContext.set(ctx, results);
  }
  return results;
}

/**
 * Runs the command at once and answers 202 with a Location to poll, as AKS
 * does; the first poll finds the result ready.
 */
export function handleRunCommand(ctx: AzureContext, cluster: ArmObject, url: URL, body: string, res: ServerResponse): void {
  let request: { command?: unknown; clusterToken?: unknown };
  try {
    request = (body.trim() === "" ? {} : JSON.parse(body)) as typeof request;
  } catch {
    sendArmError(res, 400, "InvalidRequestContent", "The request content was invalid and could not be deserialized.");
    return;
  }
  if (typeof request.command !== "string" || request.command.trim() === "") {
    sendArmError(res, 400, "InvalidParameter", "The value of parameter requestPayload.command is invalid: it must not be empty.");
    return;
  }
  const apiServerAccess = cluster.properties?.apiServerAccessProfile as { disableRunCommand?: unknown } | undefined;
  if (apiServerAccess?.disableRunCommand === true) {
    sendArmError(res, 400, "RunCommandDisabled", `Run command is disabled on managed cluster '${cluster.name}' (apiServerAccessProfile.disableRunCommand).`);
    return;
  }
  const startedAt = new Date().toISOString();
  const outcome = runInCluster(ctx, cluster, request.command, typeof request.clusterToken === "string" ? request.clusterToken : undefined);
  const id = randomUUID().replace(/-/g, "");
  const logs = truncate(outcome.logs);
  resultsOf(ctx).set(id, {
    id,
    provisioningState: outcome.failedReason === undefined ? "Succeeded" : "Failed",
    exitCode: outcome.exitCode,
    startedAt,
    finishedAt: new Date().toISOString(),
    logs,
    ...(outcome.failedReason !== undefined && { reason: outcome.failedReason }),
  });
  const location = new URL(`${url.pathname.replace(/\/runcommand\/?$/i, "")}/commandResults/${id}`, ctx.endpoint);
  location.search = url.search;
  res.writeHead(202, { location: location.toString(), "content-length": "0" });
  res.end();
}

export function handleCommandResult(ctx: AzureContext, cluster: ArmObject, commandId: string, res: ServerResponse): void {
  const result = resultsOf(ctx).get(commandId);
  if (!result) {
    sendArmError(res, 404, "NotFound", `Command result '${commandId}' of managed cluster '${cluster.name}' was not found.`);
    return;
  }
  sendJson(res, 200, {
    id: result.id,
    properties: {
      provisioningState: result.provisioningState,
      exitCode: result.exitCode,
      startedAt: result.startedAt,
      finishedAt: result.finishedAt,
      logs: result.logs,
      ...(result.reason !== undefined && { reason: result.reason }),
    },
  });
}

interface Outcome {
  exitCode: number;
  logs: string;
  /** Set when the command pod itself could not run. */
  failedReason?: string;
}

function runInCluster(ctx: AzureContext, cluster: ArmObject, command: string, clusterToken: string | undefined): Outcome {
  const objects = ctx.fleet.clusters.get(cluster.name);
  if (!objects) {
    return { exitCode: 1, logs: "", failedReason: `the command pod could not be scheduled: cluster '${cluster.name}' has no nodes in the fleet description` };
  }
  // Managed Entra clusters run the command as the caller: AKS needs a token for its server application.
  if ((cluster.properties?.aadProfile as { managed?: unknown } | undefined)?.managed === true) {
    const claims = clusterToken ? ctx.signer.verify(clusterToken) : undefined;
    const audience = claims?.aud;
    if (audience !== AKS_SERVER_APP_ID && audience !== `api://${AKS_SERVER_APP_ID}`) {
      return { exitCode: 1, logs: "error: You must be logged in to the server (Unauthorized)\n" };
    }
  }
  const output: string[] = [];
  let exitCode = 0;
  for (const list of command.trim().split(/\s+;\s+/)) {
    // `a || b`: b runs only when a failed; the list's status is the last one run.
    const alternatives = list.split(/\s+\|\|\s+/);
    for (const [index, part] of alternatives.entries()) {
      if (index > 0 && exitCode === 0) break;
      const result = runOne(ctx, cluster.name, objects, part);
      output.push(result.logs);
      exitCode = result.exitCode;
    }
  }
  return { exitCode, logs: output.join("") };
}

function runOne(ctx: AzureContext, clusterName: string, objects: readonly KubeObject[], part: string): Outcome {
  const words = part.trim().split(/\s+/);
  if (words[0] === "kubectl" && words[1] === "get") return kubectlGet(objects, words.slice(2));
  if (words[0] === "kubectl" && words[1] === "logs") return kubectlLogs(ctx, clusterName, objects, words.slice(2));
  if (words[0] === "echo" && words.every((word) => !/[$`"'\\<>|&*?]/.test(word))) return { exitCode: 0, logs: `${words.slice(1).join(" ")}\n` };
  if (words.length === 1 && words[0] === "true") return { exitCode: 0, logs: "" };
  return {
    exitCode: 1,
    logs: `error: the fleet simulator's run command understands only "kubectl get <resources> -A -o json", "kubectl logs -n <namespace> <pod> -c <container> ... --prefix", "echo <words>" and "true" (got "${part}")\n`,
  };
}

function kubectlGet(objects: readonly KubeObject[], args: string[]): Outcome {
  const [resources, ...flags] = args;
  if (resources === undefined || flags.join(" ") !== "-A -o json") {
    return { exitCode: 1, logs: `error: the fleet simulator's run command understands only "kubectl get <resources> -A -o json" (got "kubectl get ${args.join(" ")}")\n` };
  }
  const items: KubeObject[] = [];
  for (const resource of resources.split(",")) {
    const type = GETTABLE[resource];
    if (!type) return { exitCode: 1, logs: `error: the server doesn't have a resource type "${resource}"\n` };
    const ofKind = objects.filter((o) => o.kind === type.kind);
    ofKind.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
    items.push(...ofKind);
  }
  return { exitCode: 0, logs: `${JSON.stringify({ apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } }, null, 4)}\n` };
}

function kubectlLogs(ctx: AzureContext, clusterName: string, objects: readonly KubeObject[], args: string[]): Outcome {
  let namespace: string | undefined;
  let container: string | undefined;
  let pod: string | undefined;
  let prefix = false;
  let timestamps = false;
  const numbers: { tailLines?: number; sinceSeconds?: number; limitBytes?: number } = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    const number = (text: string | undefined) => (text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined);
    if (arg === "-n") namespace = args[++i];
    else if (arg === "-c") container = args[++i];
    else if (arg === "--prefix") prefix = true;
    else if (arg === "--timestamps") timestamps = true;
    else if (arg.startsWith("--tail=")) numbers.tailLines = number(arg.slice(7));
    else if (arg.startsWith("--since=") && arg.endsWith("s")) numbers.sinceSeconds = number(arg.slice(8, -1));
    else if (arg.startsWith("--limit-bytes=")) numbers.limitBytes = number(arg.slice(14));
    else if (!arg.startsWith("-") && pod === undefined) pod = arg;
    else return { exitCode: 1, logs: `error: unknown flag: ${arg}\n` };
  }
  if (namespace === undefined || pod === undefined || container === undefined || !prefix) {
    return { exitCode: 1, logs: `error: the fleet simulator's run command understands only "kubectl logs -n <namespace> <pod> -c <container> ... --prefix"\n` };
  }
  const object = objects.find((o) => o.kind === "Pod" && o.metadata.namespace === namespace && o.metadata.name === pod);
  if (!object) return { exitCode: 1, logs: `Error from server (NotFound): pods "${pod}" not found\n` };
  const answer = podLog(
    object,
    (name) => ctx.fleet.logs[`${clusterName}/${namespace}/${pod}/${name}`],
    {
      container,
      ...(numbers.tailLines !== undefined && { tailLines: numbers.tailLines }),
      ...(numbers.sinceSeconds !== undefined && { sinceSeconds: numbers.sinceSeconds }),
      ...(numbers.limitBytes !== undefined && { limitBytes: numbers.limitBytes }),
      timestamps,
    },
    new Date(),
  );
  if (!answer.ok) return { exitCode: 1, logs: `Error from server (BadRequest): ${answer.message}\n` };
  const lines = answer.text.split("\n").filter((line) => line !== "");
  return { exitCode: 0, logs: lines.map((line) => `[pod/${pod}/${container}] ${line}\n`).join("") };
}

function keyOf(object: KubeObject): string {
  return `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

function truncate(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= RUN_COMMAND_OUTPUT_LIMIT_BYTES ? text : bytes.subarray(0, RUN_COMMAND_OUTPUT_LIMIT_BYTES).toString("utf8");
}
