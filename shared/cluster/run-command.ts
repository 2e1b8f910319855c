/**
 * The way into a private cluster whose API server the scanner cannot dial:
 * ARM run command. AKS starts a pod inside the cluster that runs
 * `kubectl get <resources> -A -o json`, cut down by jq to the fields the
 * checks read (run-command-lists.ts), and `kubectl logs` for the AADSTS
 * evidence; the objects come back through ARM and go through the same
 * SnapshotAssembler as the direct path's pages, so both paths give the same
 * snapshot.
 *
 * Opt-in per scope (RUN_COMMAND_SCOPES), because run command needs the
 * `Microsoft.ContainerService/managedClusters/runCommand/action` and `.../commandResults/read` permissions
 * and runs a pod in the customer's cluster. AKS cuts a command's output at
 * 512 KiB: a list that does not fit becomes a collection error, never a
 * silently shorter list.
 */
import type { ContainerServiceClient, RunCommandResult } from "@azure/arm-containerservice";
import type { TokenCredential } from "@azure/core-auth";
import type { Pipeline, PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1CronJob,
  V1DaemonSet,
  V1Deployment,
  V1Job,
  V1MutatingWebhookConfiguration,
  V1Namespace,
  V1Pod,
  V1ReplicaSet,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
} from "@kubernetes/client-node";
import pLimit from "p-limit";
import type { AksCluster } from "../inventory/model.js";
import { AKS_SERVER_APP_ID, clusterTenantOf, entraTokenProvider } from "./access.js";
import { aadstsEvidence } from "./aadsts.js";
import { COLLECT_DEFAULTS, logCandidates, logReading, SnapshotAssembler, snapshotWithoutAccess, type SnapshotResource } from "./collect.js";
import { kindOfStatus, kindOfTransportError, scrub } from "./errors.js";
import { firstLines, kindOfKubectlError, readLists, RUN_COMMAND_ACTION, RUN_COMMAND_LISTS, RUN_COMMAND_RBAC_LISTS, type CommandFailure, type CommandOutcome } from "./run-command-lists.js";
import type { AadstsLogEvidence, ClusterSnapshot, CollectionError, PodSummary } from "./model.js";

/**
 * Only what is needed of a ContainerServiceClient bound to the cluster's
 * subscription; its pipeline, when given, loses its retries for the
 * run-command POST (see withoutRunCommandRetry).
 */
export type RunCommandSource = { managedClusters: Pick<ContainerServiceClient["managedClusters"], "beginRunCommandAndWait">; pipeline?: Pipeline };

export interface RunCommandCollectOptions {
  /** The checks' "now"; defaults to the start of collection. */
  now?: Date;
  /** Log lines read per container (0 reads no logs). */
  logTailLines?: number;
  logSinceSeconds?: number;
  /** Pods whose logs are read, at most (0 reads no logs). */
  logMaxPods?: number;
  /** Pods of one owner whose logs are read (see CollectOptions). */
  logPodsPerOwner?: number;
  /** Commands running at once in the cluster. */
  concurrency?: number;
  /** Poll interval of the long-running operation; default: the SDK's, or what AKS's Retry-After asks. */
  pollIntervalMs?: number;
}

/** The logs of one namespace share one command's output; leave room for the prefixes. */
const LOG_OUTPUT_BUDGET_BYTES = 384 * 1024;

const RESOURCE_OF_KIND: Readonly<Record<string, SnapshotResource>> = {
  Namespace: "namespaces",
  ServiceAccount: "serviceaccounts",
  Pod: "pods",
  Service: "services",
  Deployment: "deployments",
  StatefulSet: "statefulsets",
  DaemonSet: "daemonsets",
  ReplicaSet: "replicasets",
  Job: "jobs",
  CronJob: "cronjobs",
  MutatingWebhookConfiguration: "mutatingwebhookconfigurations",
  ClusterRole: "clusterroles",
  ClusterRoleBinding: "clusterrolebindings",
};

/** What a cluster with apiServerAccessProfile.disableRunCommand gets instead of a command. */
export const RUN_COMMAND_DISABLED_MESSAGE =
  "run command is disabled on this cluster (apiServerAccessProfile.disableRunCommand is true): AKS refuses every command, so the cluster can only be scanned over a network path to its API server";

/**
 * True when a scope list names the cluster: its subscription id or its
 * resource id, compared case-insensitively (ARM ids vary in case).
 *
 * @example
 *   clusterInScopes(config.scanner.runCommandScopes, cluster)
 */
export function clusterInScopes(scopes: readonly string[], cluster: Pick<AksCluster, "id" | "subscriptionId">): boolean {
  const id = cluster.id.toLowerCase().replace(/\/+$/, "");
  const subscription = cluster.subscriptionId.toLowerCase();
  return scopes.some((scope) => {
    const wanted = scope.trim().toLowerCase().replace(/\/+$/, "");
    return wanted === subscription || wanted === `/subscriptions/${subscription}` || wanted === id;
  });
}

/**
 * True when the direct path failed for want of a network path (the API
 * server never answered), the one failure run command can get around. A
 * refusal (401, 403) or a missing credential is not: run command would not
 * fix those.
 */
export function unreachableDirectly(snapshot: ClusterSnapshot): boolean {
  return snapshot.accessPath === "none" && snapshot.errors.some((error) => error.kind === "unreachable" || error.kind === "timeout");
}

/**
 * The snapshot to keep for a cluster: the direct one, or, when its API server
 * could not be reached and run command is allowed for it, the one run command
 * collects. When run command fails too, both paths' errors stay, so the
 * scan.cluster-unreachable finding tells what each one ran into.
 *
 * @example
 *   snapshot = await orThroughRunCommand(snapshot, { containerService, credential }, { scopes: config.scanner.runCommandScopes });
 */
export async function orThroughRunCommand(
  direct: ClusterSnapshot,
  deps: { containerService: RunCommandSource; credential: TokenCredential },
  options: RunCommandCollectOptions & { scopes: readonly string[] },
): Promise<ClusterSnapshot> {
  if (!unreachableDirectly(direct) || !clusterInScopes(options.scopes, direct.cluster)) return direct;
  const { scopes: _scopes, ...collectOptions } = options;
  const throughRunCommand = await collectSnapshotThroughRunCommand(direct.cluster, deps, { now: new Date(direct.collectedAt), ...collectOptions });
  if (throughRunCommand.accessPath === "run-command") return throughRunCommand;
  return { ...throughRunCommand, errors: [...direct.errors, ...throughRunCommand.errors] };
}

/**
 * Collects a cluster's snapshot through ARM run command. Failures become
 * CollectionErrors in the snapshot; nothing is thrown. accessPath is
 * "run-command" once any command ran in the cluster, "none" otherwise.
 *
 * @example
 *   const snapshot = await collectSnapshotThroughRunCommand(cluster, { containerService: azure.containerService(cluster.subscriptionId), credential });
 */
export async function collectSnapshotThroughRunCommand(
  cluster: AksCluster,
  deps: { containerService: RunCommandSource; credential: TokenCredential },
  options: RunCommandCollectOptions = {},
): Promise<ClusterSnapshot> {
  const started = performance.now();
  const snapshot = snapshotWithoutAccess(cluster, [], options.now ?? new Date());
  if (cluster.runCommandDisabled === true) {
    // AKS refuses every command on such a cluster: say so rather than send one.
    snapshot.errors.push({ kind: "error", ...RUN_COMMAND_ACTION, message: RUN_COMMAND_DISABLED_MESSAGE });
    snapshot.stats.durationMs = Math.round(performance.now() - started);
    return snapshot;
  }
  const runner = new CommandRunner(cluster, deps, options);

  const read = await Promise.all(RUN_COMMAND_LISTS.map((resources) => readLists((command) => runner.run(command), resources)));
  const items = new Map<SnapshotResource, unknown[]>();
  for (const { resources, objects, errors } of read) {
    for (const error of errors) record(snapshot.errors, error);
    if (objects === undefined) continue;
    for (const resource of resources) items.set(resource, []);
    for (const item of objects) {
      const resource = RESOURCE_OF_KIND[(item as { kind?: string }).kind ?? ""];
      if (resource !== undefined) items.get(resource)?.push(item);
    }
  }
  snapshot.accessPath = runner.ranInCluster ? "run-command" : "none";
  if (snapshot.accessPath === "none") return finish(snapshot, runner, started);

  const assembler = assemble(snapshot, items);
  if (assembler.wantsManagedIdentityGrants()) await readManagedIdentityGrants(runner, assembler);
  snapshot.logEvidence = await collectLogEvidence(runner, snapshot, options);
  snapshot.logReading = logReading(
    snapshot.pods,
    options.logTailLines ?? COLLECT_DEFAULTS.logTailLines,
    options.logMaxPods ?? COLLECT_DEFAULTS.logMaxPods,
    options.logPodsPerOwner ?? COLLECT_DEFAULTS.logPodsPerOwner,
  );
  return finish(snapshot, runner, started);
}

/** Feeds the lists to the SnapshotAssembler in the order the direct path reads them. */
function assemble(snapshot: ClusterSnapshot, items: ReadonlyMap<SnapshotResource, unknown[]>): SnapshotAssembler {
  const assembler = new SnapshotAssembler(snapshot);
  const each = <T>(resource: SnapshotResource, take: (item: T) => void) => {
    for (const item of items.get(resource) ?? []) take(item as T);
  };
  each<V1Namespace>("namespaces", (o) => assembler.namespace(o));
  each<V1ServiceAccount>("serviceaccounts", (o) => assembler.serviceAccount(o));
  assembler.serviceAccountsComplete();
  each<V1Pod>("pods", (o) => assembler.pod(o));
  each<V1Deployment>("deployments", (o) => assembler.deployment(o));
  each<V1StatefulSet>("statefulsets", (o) => assembler.workload("StatefulSet", o));
  each<V1DaemonSet>("daemonsets", (o) => assembler.workload("DaemonSet", o));
  each<V1ReplicaSet>("replicasets", (o) => assembler.workload("ReplicaSet", o));
  each<V1Job>("jobs", (o) => assembler.workload("Job", o));
  each<V1CronJob>("cronjobs", (o) => assembler.workload("CronJob", o));
  each<V1Service>("services", (o) => assembler.service(o));
  each<V1MutatingWebhookConfiguration>("mutatingwebhookconfigurations", (o) => assembler.mutatingWebhookConfiguration(o));
  assembler.complete();
  return assembler;
}

/** ClusterRoles and their bindings, as the direct path reads them: only where some pod opts in to identity binding, kept only when both lists were read. */
async function readManagedIdentityGrants(runner: CommandRunner, assembler: SnapshotAssembler): Promise<void> {
  const { objects, errors } = await readLists((command) => runner.run(command), RUN_COMMAND_RBAC_LISTS);
  for (const error of errors) record(assembler.snapshot.errors, error);
  if (objects === undefined || errors.length > 0) return;
  for (const item of objects) {
    const kind = (item as { kind?: string }).kind;
    if (kind === "ClusterRole") assembler.clusterRole(item as V1ClusterRole);
    else if (kind === "ClusterRoleBinding") assembler.clusterRoleBinding(item as V1ClusterRoleBinding);
  }
  assembler.managedIdentityGrantsComplete();
}

/**
 * Recent logs of the same pods the direct path reads, one command per
 * namespace: `kubectl logs --prefix` tags each line with pod and container.
 */
async function collectLogEvidence(runner: CommandRunner, snapshot: ClusterSnapshot, options: RunCommandCollectOptions): Promise<AadstsLogEvidence[]> {
  const tailLines = options.logTailLines ?? COLLECT_DEFAULTS.logTailLines;
  const sinceSeconds = options.logSinceSeconds ?? COLLECT_DEFAULTS.logSinceSeconds;
  const maxPods = options.logMaxPods ?? COLLECT_DEFAULTS.logMaxPods;
  if (tailLines <= 0 || maxPods <= 0) return [];
  const byNamespace = new Map<string, PodSummary[]>();
  for (const pod of logCandidates(snapshot.pods, maxPods, options.logPodsPerOwner ?? COLLECT_DEFAULTS.logPodsPerOwner)) byNamespace.set(pod.namespace, [...(byNamespace.get(pod.namespace) ?? []), pod]);

  const evidence: AadstsLogEvidence[] = [];
  await Promise.all(
    [...byNamespace].map(async ([namespace, pods]) => {
      const reads = pods.flatMap((pod) => pod.containers.map((container) => ({ pod: pod.name, container: container.name })));
      const limitBytes = Math.max(1024, Math.floor(LOG_OUTPUT_BUDGET_BYTES / Math.max(1, reads.length)));
      const command = reads.map((read) => kubectlLogsCommand(namespace, read.pod, read.container, { tailLines, sinceSeconds, limitBytes })).join(" ; ");
      const result = await runner.run(command);
      if (!result.ok) {
        record(snapshot.errors, { ...logTarget(namespace), kind: result.error.kind, message: result.error.message, ...(result.error.httpStatus !== undefined && { httpStatus: result.error.httpStatus }) });
        return;
      }
      // Each read stands alone: one that fails prints kubectl's error and the marker, and the next one goes on.
      const { text, failed } = parseLogOutput(result.logs);
      // As on the direct path, a container that has not started (400) or a pod that is gone (404) says nothing about access; a refusal does.
      // Only kubectl's own lines count, never a container's (those carry the "[pod/...]" prefix).
      const refusals = failed.size > 0 ? result.logs.split("\n").filter((line) => line.startsWith("Error from server (Forbidden)")) : [];
      if (refusals.length > 0) record(snapshot.errors, { ...logTarget(namespace), kind: "forbidden", message: scrub(firstLines(refusals.join("\n"))) });
      for (const read of reads) {
        const lines = text.get(`${read.pod}/${read.container}`);
        if (lines) evidence.push(...aadstsEvidence(namespace, read.pod, read.container, lines.join("\n")));
      }
    }),
  );
  return evidence.sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod) || a.container.localeCompare(b.container) || a.code.localeCompare(b.code),
  );
}

/** Printed by a log read that failed, so that the reads after it still count and this one is known to have failed. */
export const LOG_READ_FAILED_MARKER = "wiscan-log-read-failed";

/**
 * One container's log read, independent of the others in the same command:
 * `a ; b` would take b's exit status for the whole command, so a read that
 * fails (container waiting, pod gone) answers with a marker line and exit
 * status 0 instead.
 */
export function kubectlLogsCommand(namespace: string, pod: string, container: string, limits: { tailLines: number; sinceSeconds: number; limitBytes: number }): string {
  const read = `kubectl logs -n ${namespace} ${pod} -c ${container} --tail=${limits.tailLines} --since=${limits.sinceSeconds}s --timestamps --limit-bytes=${limits.limitBytes} --prefix`;
  return `${read} || echo ${LOG_READ_FAILED_MARKER} pod/${pod}/${container}`;
}

/** The prefixed lines of each pod/container, and the reads that failed. */
export function parseLogOutput(logs: string): { text: Map<string, string[]>; failed: Set<string> } {
  const text = new Map<string, string[]>();
  const failed = new Set<string>();
  for (const line of logs.split("\n")) {
    const marker = new RegExp(`^${LOG_READ_FAILED_MARKER} pod/([^/\\s]+)/(\\S+)$`).exec(line);
    if (marker) {
      failed.add(`${marker[1]}/${marker[2]}`);
      continue;
    }
    const match = /^\[pod\/([^/\]]+)\/([^\]]+)\] (.*)$/.exec(line);
    if (!match) continue;
    const key = `${match[1]}/${match[2]}`;
    text.set(key, [...(text.get(key) ?? []), match[3] ?? ""]);
  }
  return { text, failed };
}

function logTarget(namespace: string) {
  return { resource: "pods/log", verb: "get", group: "", namespace };
}

/** Runs commands through ARM, a few at a time, with the caller's Entra token for the cluster where AKS asks for one. */
class CommandRunner {
  commands = 0;
  ranInCluster = false;
  readonly armErrors: CollectionError[] = [];
  private readonly limit: ReturnType<typeof pLimit>;

  constructor(
    private readonly cluster: AksCluster,
    private readonly deps: { containerService: RunCommandSource; credential: TokenCredential },
    private readonly options: RunCommandCollectOptions,
  ) {
    this.limit = pLimit(options.concurrency ?? 3);
    withoutRunCommandRetry(deps.containerService.pipeline);
  }

  run(command: string): Promise<CommandOutcome> {
    return this.limit(() => this.runNow(command));
  }

  private async runNow(command: string): Promise<CommandOutcome> {
    this.commands += 1;
    let result: RunCommandResult;
    try {
      const clusterToken = await this.clusterToken();
      result = await this.deps.containerService.managedClusters.beginRunCommandAndWait(
        this.cluster.resourceGroup,
        this.cluster.name,
        { command, ...(clusterToken !== undefined && { clusterToken }) },
        this.options.pollIntervalMs !== undefined ? { updateIntervalInMs: this.options.pollIntervalMs } : {},
      );
    } catch (error) {
      const failure = armFailure(error);
      this.armErrors.push({ kind: failure.kind, ...RUN_COMMAND_ACTION, message: failure.message, ...(failure.httpStatus !== undefined && { httpStatus: failure.httpStatus }) });
      return { ok: false, error: failure };
    }
    if (result.provisioningState !== undefined && result.provisioningState !== "Succeeded") {
      const message = `run command ended ${result.provisioningState}${result.reason ? `: ${scrub(result.reason)}` : ""}`;
      return { ok: false, error: { kind: "error", message, arm: false } };
    }
    this.ranInCluster = true;
    const logs = result.logs ?? "";
    if ((result.exitCode ?? 0) !== 0) return { ok: false, error: { kind: kindOfKubectlError(logs), message: scrub(firstLines(logs)), arm: false } };
    return { ok: true, logs };
  }

  /**
   * Managed Entra clusters run the command as the caller: AKS wants a token
   * for its server application, from the cluster's tenant. Only those, as
   * `az aks command invoke` does (azure-cli,
   * src/azure-cli/azure/cli/command_modules/acs/custom.py, aks_runcommand:
   * `if mc.aad_profile is not None and mc.aad_profile.managed:` then
   * `request_payload.cluster_token = _get_dataplane_aad_token(cmd.cli_ctx, "6dae42f8-...")`).
   */
  private async clusterToken(): Promise<string | undefined> {
    if (this.cluster.aad?.managed !== true) return undefined;
    return entraTokenProvider(this.deps.credential, `${AKS_SERVER_APP_ID}/.default`, clusterTenantOf(this.cluster))();
  }
}

/** The name core-rest-pipeline gives the retry policy every ARM client's pipeline has (createPipelineFromOptions). */
const DEFAULT_RETRY_POLICY = "defaultRetryPolicy";
const RUN_COMMAND_RETRY_POLICY = "wiscanRetryExceptRunCommand";

function isRunCommandPost(request: PipelineRequest): boolean {
  return request.method === "POST" && /\/managedclusters\/[^/]+\/runcommand$/i.test(new URL(request.url).pathname);
}

/**
 * Never retry the run-command POST: each POST AKS accepts starts a command
 * pod, so a retry after a lost answer or a 5xx can run the command twice.
 * `az aks command invoke` sends it once (azure-cli, acs/custom.py,
 * aks_runcommand: one `client.begin_run_command(...)`, no retry of its own).
 * The client's retry policy (core-rest-pipeline's defaultRetryPolicy, which
 * retries POSTs on 5xx, 429 and connection errors) is wrapped so that it
 * still retries every other request of the client, the result polls and
 * listClusterUserCredentials included. Done once per pipeline.
 */
export function withoutRunCommandRetry(pipeline: Pipeline | undefined): void {
  if (pipeline === undefined) return;
  const policies = pipeline.getOrderedPolicies();
  if (policies.some((p) => p.name === RUN_COMMAND_RETRY_POLICY) || !policies.some((p) => p.name === DEFAULT_RETRY_POLICY)) return;
  const [retry] = pipeline.removePolicy({ name: DEFAULT_RETRY_POLICY });
  if (retry === undefined) return;
  const wrapped: PipelinePolicy = {
    name: RUN_COMMAND_RETRY_POLICY,
    sendRequest: (request, next) => (isRunCommandPost(request) ? next(request) : retry.sendRequest(request, next)),
  };
  pipeline.addPolicy(wrapped, { phase: "Retry" });
}

/** One entry per failure kind and target, as the direct path keeps them. */
function record(errors: CollectionError[], error: CollectionError): void {
  const duplicate = errors.some((known) => known.kind === error.kind && known.resource === error.resource && known.verb === error.verb && known.namespace === error.namespace);
  if (!duplicate) errors.push(error);
}

function armFailure(error: unknown): CommandFailure {
  const record = (error ?? {}) as { statusCode?: unknown; message?: unknown };
  const message = scrub(typeof record.message === "string" ? record.message : String(error));
  if (typeof record.statusCode === "number") return { kind: kindOfStatus(record.statusCode), message, httpStatus: record.statusCode, arm: true };
  return { kind: kindOfTransportError(error), message, arm: true };
}

function finish(snapshot: ClusterSnapshot, runner: CommandRunner, started: number): ClusterSnapshot {
  for (const error of runner.armErrors) record(snapshot.errors, error);
  snapshot.stats.requests = runner.commands;
  snapshot.stats.podPages = snapshot.accessPath === "run-command" && !snapshot.errors.some((e) => e.resource === "pods") ? 1 : 0;
  snapshot.stats.durationMs = Math.round(performance.now() - started);
  return snapshot;
}
