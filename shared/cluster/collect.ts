/**
 * Collects one cluster's snapshot through its API server: namespaces first
 * (which also tells whether the server can be reached at all), then service
 * accounts (they decide which pods and workloads matter), then pods, workload
 * controllers, services and the webhook's objects side by side, then recent
 * logs of a bounded number of workload-identity pods.
 *
 * Lists are paged; only slim summaries of the objects that touch workload
 * identity are kept, so memory stays bounded on a cluster with 20,000 pods.
 * Pages and items per list and the time for the whole cluster are bounded
 * too (COLLECT_DEFAULTS), so that no API server keeps a scan busy.
 * Every failure becomes a CollectionError in the snapshot; nothing is thrown.
 */
import type {
  V1ClusterRole,
  V1ClusterRoleBinding,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1Namespace,
  V1Pod,
  V1Service,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import { groupBy } from "../collections.js";
import type { AksCluster } from "../inventory/model.js";
import type { ClusterAccess } from "./access.js";
import { aadstsEvidence } from "./aadsts.js";
import { someoneOptsIntoIdentityBinding } from "./identity-bindings.js";
import { CollectionLimitError, isExpiredContinue, type RequestTarget } from "./errors.js";
import { apiPath } from "./kube-http.js";
import { KubeSession, type ItemFilter } from "./kube-session.js";
import { WORKLOAD_KINDS, type AadstsLogEvidence, type ClusterSnapshot, type CollectionError, type PodSummary, type WorkloadKind, type WorkloadSummary } from "./model.js";
import {
  USE_LABEL,
  WEBHOOK_DEPLOYMENT_NAME,
  clusterRoleBindingSummary,
  isWorkloadIdentityServiceAccount,
  managedIdentityGrants,
  managedIdentityUseOf,
  namespaceSummary,
  podBytesMayTouchWorkloadIdentity,
  podSummary,
  podTouchesWorkloadIdentity,
  serviceAccountKey,
  serviceAccountSummary,
  serviceSummary,
  webhookDeployment,
  workloadIdentityWebhook,
  workloadSummary,
  workloadTouchesWorkloadIdentity,
} from "./summarize.js";

export interface CollectOptions {
  /** The checks' "now"; defaults to the start of collection. */
  now?: Date;
  /** Items per list page (the `limit` parameter). */
  pageSize?: number;
  requestTimeoutMs?: number;
  /** Log lines read per container (tailLines); 0 reads no logs at all. */
  logTailLines?: number;
  /** How far back logs are read (sinceSeconds). */
  logSinceSeconds?: number;
  /** Pods whose logs are read, at most; 0 reads no logs at all. */
  logMaxPods?: number;
  /**
   * Pods of one owner (a ReplicaSet, a Job, ...) whose logs are read. Replicas
   * run the same template with the same service account and token, so they
   * fail alike: one is enough to see an AADSTS error, and reading every
   * replica made logs half of a cluster's requests.
   */
  logPodsPerOwner?: number;
  /** Requests in flight at once against the API server. */
  concurrency?: number;
  /**
   * Pages of one list, at most: a list that needs more (its last page still
   * carries a continue token) stops and becomes a collection error.
   */
  maxListPages?: number;
  /** Items of one list, at most, counted at page ends; beyond them the list stops the same way. */
  maxListItems?: number;
  /** Time for the whole cluster; past it nothing more is asked and requests in flight are cut. */
  clusterBudgetMs?: number;
}

export const COLLECT_DEFAULTS = {
  pageSize: 500,
  requestTimeoutMs: 30_000,
  logTailLines: 200,
  logSinceSeconds: 24 * 60 * 60,
  logMaxPods: 50,
  logPodsPerOwner: 1,
  concurrency: 4,
  /**
   * Only a server that keeps sending continue tokens (a looping proxy or
   * aggregated API server) or pages far shorter than asked reaches it: at
   * the default page size it is a million items.
   */
  maxListPages: 2_000,
  /**
   * Twice the 150,000 pods Kubernetes is tested to hold per cluster (a
   * 20,000-pod cluster is 40 pages of 500). Items are streamed and mostly
   * dropped, so the bound is on time, not memory.
   */
  maxListItems: 300_000,
  /**
   * A 20,000-pod cluster is read in seconds (docs/benchmarks.md); 10 minutes
   * leaves a cluster's activity 20 of its 30 (host.json functionTimeout) for
   * run command and the probe.
   */
  clusterBudgetMs: 10 * 60 * 1000,
} as const;

/** A list restarted more often than this after expired continue tokens gives up with the 410. */
const MAX_LIST_RESTARTS = 3;
/** Bytes read per container log at most: a single huge line must not blow memory. */
const LOG_LIMIT_BYTES = 512 * 1024;
const HELM_WEBHOOK_NAMESPACE = "azure-workload-identity-system";

/**
 * @example
 *   const snapshot = await collectClusterSnapshot(cluster, access, { pageSize: 500 });
 *   if (snapshot.errors.length > 0) console.log(snapshot.errors.map((e) => `${e.kind} ${e.verb} ${e.resource}`));
 */
export async function collectClusterSnapshot(cluster: AksCluster, access: ClusterAccess, options: CollectOptions = {}): Promise<ClusterSnapshot> {
  const started = performance.now();
  const settings = { ...COLLECT_DEFAULTS, ...definedOnly(options) };
  const deadline = {
    at: started + settings.clusterBudgetMs,
    error: new CollectionLimitError(
      `not read: the cluster's time budget of ${formatMs(settings.clusterBudgetMs)} ran out (clusterBudgetMs, COLLECT_DEFAULTS in shared/cluster/collect.ts)`,
    ),
  };
  const session = new KubeSession(access, { requestTimeoutMs: settings.requestTimeoutMs, concurrency: settings.concurrency, retries: 2, deadline });
  const snapshot = snapshotWithoutAccess(cluster, [], settings.now ?? new Date());
  snapshot.accessPath = "direct";
  const lists = new ListCollector(session, { pageSize: settings.pageSize, maxPages: settings.maxListPages, maxItems: settings.maxListItems }, snapshot.errors);
  const assembler = new SnapshotAssembler(snapshot);

  // The first request doubles as a reachability probe: when it cannot get through, nothing else will.
  const namespacesError = await lists.collect<V1Namespace>({ resource: "namespaces", verb: "list", group: "" }, (namespace) => assembler.namespace(namespace), () => assembler.reset("namespaces"));
  if (namespacesError && isFatal(namespacesError)) {
    if (!session.reached) snapshot.accessPath = "none";
    return finish(snapshot, session, lists, started);
  }

  await lists.collect<V1ServiceAccount>({ resource: "serviceaccounts", verb: "list", group: "" }, (account) => assembler.serviceAccount(account), () => assembler.reset("serviceaccounts"));
  assembler.serviceAccountsComplete();

  const [, deploymentsError] = await Promise.all([
    lists.collect<V1Pod>(
      { resource: "pods", verb: "list", group: "" },
      (pod) => assembler.pod(pod),
      () => assembler.reset("pods"),
      {
        onPage: () => {
          lists.podPages += 1;
        },
        filter: assembler.podFilter(),
      },
    ),
    lists.collect<V1Deployment>({ resource: "deployments", verb: "list", group: "apps" }, (deployment) => assembler.deployment(deployment), () => assembler.reset("deployments"), {
      filter: assembler.deploymentFilter(),
    }),
    ...OTHER_WORKLOAD_LISTS.map(({ resource, group, kind }) =>
      lists.collect<WorkloadObject>({ resource, verb: "list", group }, (o) => assembler.workload(kind, o), () => assembler.reset(resource), { filter: assembler.workloadFilter() }),
    ),
    lists.collect<V1Service>({ resource: "services", verb: "list", group: "" }, (service) => assembler.service(service), () => assembler.reset("services")),
    lists.collect<V1MutatingWebhookConfiguration>(
      { resource: "mutatingwebhookconfigurations", verb: "list", group: "admissionregistration.k8s.io" },
      (configuration) => assembler.mutatingWebhookConfiguration(configuration),
      () => assembler.reset("mutatingwebhookconfigurations"),
    ),
  ]);
  assembler.complete();

  // Only where some pod opts in to identity binding: the grants of use-managed-identity concern nobody else.
  if (assembler.wantsManagedIdentityGrants()) {
    const rbac = "rbac.authorization.k8s.io";
    const failures = await Promise.all([
      lists.collect<V1ClusterRole>({ resource: "clusterroles", verb: "list", group: rbac }, (role) => assembler.clusterRole(role), () => assembler.reset("clusterroles")),
      lists.collect<V1ClusterRoleBinding>({ resource: "clusterrolebindings", verb: "list", group: rbac }, (b) => assembler.clusterRoleBinding(b), () => assembler.reset("clusterrolebindings")),
    ]);
    // Half the picture would report grants missing that exist: without both lists, none is known (the errors say why).
    if (failures.every((failure) => failure === undefined)) assembler.managedIdentityGrantsComplete();
  }

  // Without the right to list deployments everywhere, the webhook's two known homes can still be read one by one.
  if (deploymentsError) await findWebhookDeployments(session, snapshot, lists);

  snapshot.logEvidence = await collectLogEvidence(session, snapshot.pods, settings, lists);
  snapshot.logReading = logReading(snapshot.pods, settings.logTailLines, settings.logMaxPods, settings.logPodsPerOwner);
  return finish(snapshot, session, lists, started);
}

/** The resources whose objects a SnapshotAssembler takes, by their Kubernetes resource names. */
export const SNAPSHOT_RESOURCES = [
  "namespaces",
  "serviceaccounts",
  "pods",
  "deployments",
  "statefulsets",
  "daemonsets",
  "replicasets",
  "jobs",
  "cronjobs",
  "services",
  "mutatingwebhookconfigurations",
  "clusterroles",
  "clusterrolebindings",
] as const;
export type SnapshotResource = (typeof SNAPSHOT_RESOURCES)[number];

type WorkloadObject = Parameters<typeof workloadSummary>[1];

/** The workload lists other than Deployments (whose webhook Deployment is looked for too), each read the same way. */
const OTHER_WORKLOAD_LISTS: ReadonlyArray<{ resource: SnapshotResource; group: string; kind: WorkloadKind }> = [
  { resource: "statefulsets", group: "apps", kind: "StatefulSet" },
  { resource: "daemonsets", group: "apps", kind: "DaemonSet" },
  { resource: "replicasets", group: "apps", kind: "ReplicaSet" },
  { resource: "jobs", group: "batch", kind: "Job" },
  { resource: "cronjobs", group: "batch", kind: "CronJob" },
];

/**
 * Where listed objects land in a snapshot, whichever way they were read (the
 * API server page by page, or kubectl through ARM run command): both paths
 * keep exactly the same things. Service accounts come first, because they
 * decide which pods and workloads are kept.
 */
export class SnapshotAssembler {
  private workloadIdentityAccounts: ReadonlySet<string> = new Set();
  private workloadIdentityAccountNames: ReadonlySet<string> = new Set();
  private readonly workloadsByKind = new Map<WorkloadKind, WorkloadSummary[]>(WORKLOAD_KINDS.map((kind) => [kind, []]));
  private podsSeen = 0;
  private readonly useRoles = new Map<string, string[]>();
  private clusterRoleBindings: Array<NonNullable<ReturnType<typeof clusterRoleBindingSummary>>> = [];

  constructor(readonly snapshot: ClusterSnapshot) {}

  namespace(namespace: V1Namespace): void {
    this.snapshot.namespaces.push(namespaceSummary(namespace));
  }

  serviceAccount(account: V1ServiceAccount): void {
    this.snapshot.serviceAccounts.push(serviceAccountSummary(account));
  }

  /** Call once every service account is in, before pods and workloads. */
  serviceAccountsComplete(): void {
    const accounts = this.snapshot.serviceAccounts.filter(isWorkloadIdentityServiceAccount);
    this.workloadIdentityAccounts = new Set(accounts.map((account) => serviceAccountKey(account.namespace, account.name)));
    this.workloadIdentityAccountNames = new Set(accounts.map((account) => account.name));
  }

  pod(pod: V1Pod): void {
    this.podsSeen += 1;
    const summary = podSummary(pod);
    if (podTouchesWorkloadIdentity(summary, this.workloadIdentityAccounts)) this.snapshot.pods.push(summary);
  }

  /** Pods that cannot touch workload identity, told apart before they are parsed: counted, nothing more. */
  podFilter(): ItemFilter {
    return {
      worthParsing: (bytes) => podBytesMayTouchWorkloadIdentity(bytes, this.workloadIdentityAccountNames),
      skipped: () => {
        this.podsSeen += 1;
      },
    };
  }

  /**
   * Workloads that cannot touch workload identity, told apart before they are
   * parsed, as pods are: workloadTouchesWorkloadIdentity keeps a workload for
   * an azure.workload.identity/ label or annotation or a template running as
   * a workload-identity service account, and podBytesMayTouchWorkloadIdentity
   * finds both in the bytes (a template's serviceAccountName is the same
   * field). Deployments, three quarters of what a cluster's lists parse, were
   * almost all parsed only to be dropped.
   */
  workloadFilter(): ItemFilter {
    return {
      worthParsing: (bytes) => podBytesMayTouchWorkloadIdentity(bytes, this.workloadIdentityAccountNames),
      skipped: () => undefined,
    };
  }

  /** As workloadFilter, and the webhook's own Deployment, which deployment() keeps whatever it runs as. */
  deploymentFilter(): ItemFilter {
    const workloads = this.workloadFilter();
    return { ...workloads, worthParsing: (bytes) => bytes.includes(WEBHOOK_DEPLOYMENT_NAME) || workloads.worthParsing(bytes) };
  }

  deployment(deployment: V1Deployment): void {
    const webhook = webhookDeployment(deployment);
    if (webhook) this.snapshot.webhookDeployments.push(webhook);
    this.workload("Deployment", deployment);
  }

  workload(kind: WorkloadKind, object: WorkloadObject): void {
    const summary = workloadSummary(kind, object);
    if (workloadTouchesWorkloadIdentity(summary, this.workloadIdentityAccounts)) this.workloadsByKind.get(kind)?.push(summary);
  }

  service(service: V1Service): void {
    const summary = serviceSummary(service);
    if (Object.keys(summary.annotations).length > 0) this.snapshot.services.push(summary);
  }

  mutatingWebhookConfiguration(configuration: V1MutatingWebhookConfiguration): void {
    const webhook = workloadIdentityWebhook(configuration);
    if (webhook) this.snapshot.mutatingWebhooks.push(webhook);
  }

  /** Whether a kept pod or pod template opts in to identity binding: only then are ClusterRoles and their bindings read. */
  wantsManagedIdentityGrants(): boolean {
    return someoneOptsIntoIdentityBinding(this.snapshot);
  }

  clusterRole(role: V1ClusterRole): void {
    const clientIds = managedIdentityUseOf(role);
    if (clientIds) this.useRoles.set(role.metadata?.name ?? "", clientIds);
  }

  clusterRoleBinding(binding: V1ClusterRoleBinding): void {
    const summary = clusterRoleBindingSummary(binding);
    if (summary) this.clusterRoleBindings.push(summary);
  }

  /** Call once both RBAC lists are in. */
  managedIdentityGrantsComplete(): void {
    this.snapshot.managedIdentityGrants = managedIdentityGrants(this.useRoles, this.clusterRoleBindings);
  }

  /** Drops what one resource's list gathered, so that a restarted list counts nothing twice. */
  reset(resource: SnapshotResource): void {
    const snapshot = this.snapshot;
    switch (resource) {
      case "namespaces":
        snapshot.namespaces.length = 0;
        return;
      case "serviceaccounts":
        snapshot.serviceAccounts.length = 0;
        return;
      case "pods":
        this.podsSeen = 0;
        snapshot.pods.length = 0;
        return;
      case "deployments":
        snapshot.webhookDeployments.length = 0;
        this.workloadsByKind.set("Deployment", []);
        return;
      case "statefulsets":
        this.workloadsByKind.set("StatefulSet", []);
        return;
      case "daemonsets":
        this.workloadsByKind.set("DaemonSet", []);
        return;
      case "replicasets":
        this.workloadsByKind.set("ReplicaSet", []);
        return;
      case "jobs":
        this.workloadsByKind.set("Job", []);
        return;
      case "cronjobs":
        this.workloadsByKind.set("CronJob", []);
        return;
      case "services":
        snapshot.services.length = 0;
        return;
      case "mutatingwebhookconfigurations":
        snapshot.mutatingWebhooks.length = 0;
        return;
      case "clusterroles":
        this.useRoles.clear();
        return;
      case "clusterrolebindings":
        this.clusterRoleBindings = [];
        return;
    }
  }

  /** Call once every list is in: workloads in a stable order, pod count in the stats. */
  complete(): void {
    this.snapshot.workloads = WORKLOAD_KINDS.flatMap((kind) => this.workloadsByKind.get(kind) ?? []);
    this.snapshot.stats.podsSeen = this.podsSeen;
  }
}

/** An empty snapshot for a cluster whose API server was never asked (no credential, no address). */
export function snapshotWithoutAccess(cluster: AksCluster, errors: CollectionError[], now: Date = new Date()): ClusterSnapshot {
  return {
    cluster,
    collectedAt: now.toISOString(),
    accessPath: "none",
    namespaces: [],
    serviceAccounts: [],
    pods: [],
    workloads: [],
    services: [],
    webhookDeployments: [],
    mutatingWebhooks: [],
    logEvidence: [],
    errors: [...errors],
    stats: { requests: 0, podPages: 0, podsSeen: 0, durationMs: 0 },
  };
}


interface ListBounds {
  pageSize: number;
  maxPages: number;
  maxItems: number;
}

/** Paged lists with restart on expired continue tokens; failures land in the snapshot's errors. */
class ListCollector {
  podPages = 0;

  constructor(
    private readonly session: KubeSession,
    private readonly bounds: ListBounds,
    private readonly errors: CollectionError[],
  ) {}

  /**
   * Reads every page into `add`, item by item as the bytes arrive. On 410
   * Gone (the continue token expired), and when a page breaks off after
   * handing over some of its items, `reset` drops what this list gathered and
   * the list starts over, so that nothing is lost or counted twice. A list
   * that would need more than `maxPages` pages or `maxItems` items (per pass
   * from its first page) is dropped and recorded as an error naming the
   * bound: a server that never stops sending continue tokens cannot keep a
   * scan busy. Returns the error that ended it, if any.
   */
  async collect<T>(
    target: RequestTarget,
    add: (item: T) => void,
    reset: () => void,
    options: { onPage?: () => void; filter?: ItemFilter } = {},
  ): Promise<CollectionError | undefined> {
    const { onPage, filter } = options;
    const path = apiPath(target);
    let continueToken: string | undefined;
    let restarts = 0;
    let pages = 0;
    let items = 0;
    for (;;) {
      const page = { limit: this.bounds.pageSize, continue: continueToken };
      let handedOver = false;
      const result = await this.session.call(
        target,
        () =>
          this.session.getList<T>(
            path,
            page,
            (item) => {
              handedOver = true;
              items += 1;
              add(item);
            },
            filter && {
              worthParsing: (bytes) => filter.worthParsing(bytes),
              skipped: () => {
                handedOver = true;
                items += 1;
                filter.skipped();
              },
            },
          ),
        () => !handedOver,
      );
      if (!result.ok) {
        const brokeOff = handedOver && (result.error.kind === "timeout" || result.error.kind === "unreachable");
        const expired = continueToken !== undefined && isExpiredContinue(result.error);
        const restartable = (brokeOff || expired) && restarts < MAX_LIST_RESTARTS;
        if (restartable) {
          restarts += 1;
          continueToken = undefined;
          pages = 0;
          items = 0;
          reset();
          continue;
        }
        this.record(result.error);
        return result.error;
      }
      onPage?.();
      pages += 1;
      continueToken = result.value.continue || undefined;
      if (continueToken === undefined) return undefined;
      const exceeded = this.exceededBound(target, pages, items);
      if (exceeded) {
        // What was gathered is part of a list that did not end (and, from a looping server, repeats itself): none of it is kept.
        reset();
        this.record(exceeded);
        return exceeded;
      }
    }
  }

  /** The error of a list that still has a continue token after `pages` pages and `items` items, when that is past a bound. */
  private exceededBound(target: RequestTarget, pages: number, items: number): CollectionError | undefined {
    const { maxPages, maxItems } = this.bounds;
    const where = "COLLECT_DEFAULTS in shared/cluster/collect.ts";
    const message =
      pages >= maxPages
        ? `not read: the list still had more after ${pages} pages, the most read of one list (maxListPages, ${where}); the API server kept sending continue tokens`
        : items >= maxItems
          ? `not read: the list still had more after ${items} items, the most read of one list (maxListItems, ${where})`
          : undefined;
    return message === undefined
      ? undefined
      : { kind: "error", resource: target.resource, verb: target.verb, group: target.group, ...(target.namespace !== undefined && { namespace: target.namespace }), message };
  }

  /** One entry per failure kind and target: 50 forbidden log reads are one finding's worth of evidence. */
  record(error: CollectionError): void {
    const duplicate = this.errors.some(
      (known) => known.kind === error.kind && known.resource === error.resource && known.verb === error.verb && known.namespace === error.namespace,
    );
    if (!duplicate) this.errors.push(error);
  }
}

/** Failures after which no other request can succeed either. */
function isFatal(error: CollectionError): boolean {
  return error.kind === "unreachable" || error.kind === "unauthorized" || error.kind === "timeout";
}

async function findWebhookDeployments(session: KubeSession, snapshot: ClusterSnapshot, lists: ListCollector): Promise<void> {
  for (const namespace of ["kube-system", HELM_WEBHOOK_NAMESPACE]) {
    const target = { resource: "deployments", verb: "get", group: "apps", namespace };
    const result = await session.call(target, () => session.getJson<V1Deployment>(apiPath(target, WEBHOOK_DEPLOYMENT_NAME)));
    if (result.ok) {
      const webhook = webhookDeployment(result.value);
      if (webhook) snapshot.webhookDeployments.push(webhook);
    } else if (result.error.httpStatus !== 404) {
      lists.record(result.error);
    }
  }
}

interface LogSettings {
  logTailLines: number;
  logSinceSeconds: number;
  logMaxPods: number;
  logPodsPerOwner: number;
  concurrency: number;
}

/**
 * Reads recent logs of labelled pods, `logPodsPerOwner` of each owner
 * (replicas of one ReplicaSet fail alike), and keeps only the AADSTS codes
 * found.
 */
async function collectLogEvidence(session: KubeSession, pods: readonly PodSummary[], settings: LogSettings, lists: ListCollector): Promise<AadstsLogEvidence[]> {
  if (settings.logTailLines <= 0 || settings.logMaxPods <= 0) return [];
  const reads = logCandidates(pods, settings.logMaxPods, settings.logPodsPerOwner).flatMap((pod) =>
    pod.containers.map((container) => ({ namespace: pod.namespace, pod: pod.name, container: container.name })),
  );
  const evidence: AadstsLogEvidence[] = [];
  const deniedNamespaces = new Set<string>();
  let stopped = false;

  const worker = async (): Promise<void> => {
    for (let read = reads.shift(); read !== undefined && !stopped; read = reads.shift()) {
      if (deniedNamespaces.has(read.namespace)) continue;
      const { namespace, pod, container } = read;
      const target = { resource: "pods/log", verb: "get", group: "", namespace };
      const query = { container, tailLines: settings.logTailLines, sinceSeconds: settings.logSinceSeconds, limitBytes: LOG_LIMIT_BYTES, timestamps: true };
      // The server stops at limitBytes; the slack covers a line it finishes and a proxy that ignores the limit.
      const result = await session.call(target, () => session.getText(apiPath(target, pod, "log"), query, LOG_LIMIT_BYTES + 64 * 1024));
      if (result.ok) {
        evidence.push(...aadstsEvidence(namespace, pod, container, result.value));
        continue;
      }
      // 400: the container has not started; 404: the pod is gone. Neither says anything about access.
      if (result.error.httpStatus === 400 || result.error.httpStatus === 404) continue;
      lists.record(result.error);
      if (result.error.kind === "forbidden") deniedNamespaces.add(namespace);
      else if (isFatal(result.error) || session.outOfTime()) stopped = true;
    }
  };
  await Promise.all(Array.from({ length: settings.concurrency }, worker));
  return evidence.sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.pod.localeCompare(b.pod) || a.container.localeCompare(b.container) || a.code.localeCompare(b.code),
  );
}

/** Whether the log candidates of these pods were all read, or settings left some (or all) out. */
export function logReading(pods: readonly PodSummary[], tailLines: number, max: number, perOwner: number): "complete" | "capped" | "off" {
  if (tailLines <= 0 || max <= 0) return "off";
  return logCandidates(pods, max + 1, Math.min(perOwner, 1)).length > max ? "capped" : "complete";
}

/**
 * Labelled, started pods whose logs are worth reading: at most `perOwner` of
 * each owner (a pod without one is its own), the first of every owner before
 * the second of any, at most `max` in all.
 */
export function logCandidates(pods: readonly PodSummary[], max: number, perOwner: number = COLLECT_DEFAULTS.logPodsPerOwner): PodSummary[] {
  const labelled = pods.filter((pod) => pod.labels[USE_LABEL] === "true" && pod.phase !== "Pending");
  const byOwner = groupBy(labelled, (pod) => (pod.owner ? `${pod.namespace}/${pod.owner.kind}/${pod.owner.name}` : `${pod.namespace}/Pod/${pod.name}`));
  const candidates: PodSummary[] = [];
  for (let round = 0; round < perOwner; round++) {
    for (const replicas of byOwner.values()) {
      const pod = replicas[round];
      if (pod) candidates.push(pod);
    }
  }
  return candidates.slice(0, max);
}

function finish(snapshot: ClusterSnapshot, session: KubeSession, lists: ListCollector, started: number): ClusterSnapshot {
  session.close();
  snapshot.stats.requests = session.requests;
  snapshot.stats.podPages = lists.podPages;
  snapshot.stats.durationMs = Math.round(performance.now() - started);
  return snapshot;
}

function formatMs(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
