/**
 * AKS run command (`POST .../managedClusters/{name}/runCommand`, then
 * `GET .../commandResults/{id}`): the command runs "inside" the cluster, so a
 * cluster whose API server the scanner cannot dial (a private cluster, or a
 * `kubernetes` unreachable fault) still answers here. The command line runs
 * in simulator/kubernetes/shell.ts: kubectl get/logs over the fleet's objects
 * and the real jq, joined as a shell joins them. Output is cut at 512 KiB,
 * as AKS cuts it ("The output for `command invoke` is limited to 512kB in
 * size": azure-aks-docs, articles/aks/access-private-cluster.md).
 *
 * A cluster with apiServerAccessProfile.disableRunCommand refuses every
 * command (azure-cli 2.76.0 added `az aks create/update --disable-run-command`
 * "to disable run command feature for the cluster"; ARM
 * ManagedClusterAPIServerAccessProfile.disableRunCommand).
 */
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { ArmObject } from "../fleet/model.js";
import { sendJson } from "../http.js";
import { runShell } from "../kubernetes/shell.js";
import { AKS_SERVER_APP_ID, type AzureContext } from "./context.js";
import { sendArmError } from "./arm-errors.js";

/** AKS returns at most this much of a command's output. */
export const RUN_COMMAND_OUTPUT_LIMIT_BYTES = 512 * 1024;

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
  const command = request.command;
  const clusterToken = typeof request.clusterToken === "string" ? request.clusterToken : undefined;
  void runInCluster(ctx, cluster, command, clusterToken).then(
    (outcome) => {
      const id = randomUUID().replace(/-/g, "");
      resultsOf(ctx).set(id, {
        id,
        provisioningState: outcome.failedReason === undefined ? "Succeeded" : "Failed",
        exitCode: outcome.exitCode,
        startedAt,
        finishedAt: new Date().toISOString(),
        logs: truncate(outcome.logs),
        ...(outcome.failedReason !== undefined && { reason: outcome.failedReason }),
      });
      const location = new URL(`${url.pathname.replace(/\/runcommand\/?$/i, "")}/commandResults/${id}`, ctx.endpoint);
      location.search = url.search;
      res.writeHead(202, { location: location.toString(), "content-length": "0" });
      res.end();
    },
    (error: unknown) => sendArmError(res, 500, "InternalServerError", `the fleet simulator failed to run the command: ${error instanceof Error ? error.message : String(error)}`),
  );
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

async function runInCluster(ctx: AzureContext, cluster: ArmObject, command: string, clusterToken: string | undefined): Promise<Outcome> {
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
  const logOf = (namespace: string, pod: string, container: string) => ctx.fleet.logs[`${cluster.name}/${namespace}/${pod}/${container}`];
  return runShell({ objects, logOf }, command);
}

function truncate(text: string): string {
  const bytes = Buffer.from(text);
  return bytes.length <= RUN_COMMAND_OUTPUT_LIMIT_BYTES ? text : bytes.subarray(0, RUN_COMMAND_OUTPUT_LIMIT_BYTES).toString("utf8");
}
