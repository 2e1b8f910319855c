/**
 * What several checks derive from one ClusterSnapshot, computed once per
 * snapshot: lookups, what could be seen, and how the cluster uses workload identity.
 */
import type {
  ClusterSnapshot,
  Labels,
  PodSummary,
  ServiceAccountSummary,
  WorkloadSummary,
} from "../cluster/model.js";
import type { Severity } from "../findings/index.js";
import { CLIENT_ID_ANNOTATION, WEBHOOK_ENTRY_NAME, USE_LABEL, hasUseLabel } from "./workload-identity.js";
import { webhookScope, type WebhookSkip } from "./webhook-scope.js";

/** "unknown" when the objects that would tell could not be listed. */
export type WorkloadIdentityUse = "used" | "unused" | "unknown";

export const WORKLOAD_RESOURCES = ["deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs"] as const;

export interface ClusterFacts {
  snapshot: ClusterSnapshot;
  serviceAccount(namespace: string, name: string): ServiceAccountSummary | undefined;
  workload(kind: string, namespace: string, name: string): WorkloadSummary | undefined;
  /**
   * Whether a Kubernetes resource ("pods", "serviceaccounts", ...) could be read,
   * in one namespace or (without one) everywhere. Checks stay silent on what they could not see.
   */
  sees(resource: string, namespace?: string): boolean;
  seesWorkloads(namespace?: string): boolean;
  /**
   * Whether the webhook never sees pods of this namespace: judged by the
   * webhook configuration's real namespaceSelector (webhook-scope.ts), by
   * AKS's documented defaults only when the configuration could not be read.
   */
  isExcludedNamespace(namespace: string): boolean;
  /** Why the webhook skips a labelled pod with these labels in this namespace; undefined when it serves it. */
  webhookSkips(namespace: string, podLabels?: Labels): WebhookSkip | undefined;
  /** The workload at the top of a pod's owner chain (Deployment rather than ReplicaSet, CronJob rather than Job). */
  topWorkloadOfPod(pod: PodSummary): WorkloadSummary | undefined;
  /** A workload's top-most owner that was collected, the workload itself when it has none. */
  topWorkload(workload: WorkloadSummary): WorkloadSummary;
  isTopLevel(workload: WorkloadSummary): boolean;
  /** Any annotated service account, or any pod or pod template labelled for workload identity. */
  workloadIdentityUse: WorkloadIdentityUse;
  /** Pods or pod templates labelled azure.workload.identity/use: "true" exist (the webhook matters to them). */
  labelledWorkloads: boolean;
  labelledPodCount: number;
  readyWebhook: boolean;
  webhookConfigured: boolean;
}

const cache = new WeakMap<ClusterSnapshot, ClusterFacts>();

export function clusterFacts(snapshot: ClusterSnapshot): ClusterFacts {
  const cached = cache.get(snapshot);
  if (cached !== undefined) return cached;
  const facts = computeFacts(snapshot);
  cache.set(snapshot, facts);
  return facts;
}

function computeFacts(snapshot: ClusterSnapshot): ClusterFacts {
  const serviceAccounts = new Map(snapshot.serviceAccounts.map((sa) => [`${sa.namespace}/${sa.name}`, sa]));
  const workloads = new Map(snapshot.workloads.map((w) => [`${w.kind}/${w.namespace}/${w.name}`, w]));
  const namespaceLabels = new Map(snapshot.namespaces.map((ns) => [ns.name, ns.labels]));
  const reachable = snapshot.accessPath !== "none" && !snapshot.errors.some((e) => e.kind === "unreachable" || e.kind === "unauthorized");

  const sees = (resource: string, namespace?: string): boolean => {
    if (!reachable) return false;
    const wanted = resource.toLowerCase();
    return !snapshot.errors.some(
      (e) =>
        e.resource.toLowerCase() === wanted &&
        (namespace === undefined || e.namespace === undefined || e.namespace === "" || e.namespace === namespace),
    );
  };
  const seesWorkloads = (namespace?: string) => WORKLOAD_RESOURCES.every((r) => sees(r, namespace));

  const workload = (kind: string, namespace: string, name: string) => workloads.get(`${kind}/${namespace}/${name}`);
  const topWorkload = (start: WorkloadSummary): WorkloadSummary => {
    let current = start;
    // Owner chains are at most two deep (Deployment > ReplicaSet, CronJob > Job); the bound guards against cycles in bad data.
    for (let depth = 0; depth < 4 && current.owner !== undefined; depth++) {
      const owner = workload(current.owner.kind, current.namespace, current.owner.name);
      if (owner === undefined) break;
      current = owner;
    }
    return current;
  };
  const topWorkloadOfPod = (pod: PodSummary) => {
    if (pod.owner === undefined) return undefined;
    const owner = workload(pod.owner.kind, pod.namespace, pod.owner.name);
    return owner === undefined ? undefined : topWorkload(owner);
  };
  const isTopLevel = (w: WorkloadSummary) =>
    w.owner === undefined || workload(w.owner.kind, w.namespace, w.owner.name) === undefined;

  const scope = webhookScope(snapshot.mutatingWebhooks, sees("mutatingwebhookconfigurations"));
  const skips = (namespace: string, podLabels?: Labels) => scope.skips(namespace, namespaceLabels.get(namespace) ?? {}, podLabels);

  const labelledPodCount = snapshot.pods.filter((p) => hasUseLabel(p.labels)).length;
  const labelledWorkloads = labelledPodCount > 0 || snapshot.workloads.some((w) => hasUseLabel(w.template.labels));
  const annotatedServiceAccount = snapshot.serviceAccounts.some((sa) => (sa.annotations[CLIENT_ID_ANNOTATION] ?? "") !== "");
  const workloadIdentityUse: WorkloadIdentityUse =
    labelledWorkloads || annotatedServiceAccount
      ? "used"
      : sees("serviceaccounts") && sees("pods")
        ? "unused"
        : "unknown";

  return {
    snapshot,
    serviceAccount: (namespace, name) => serviceAccounts.get(`${namespace}/${name}`),
    workload,
    sees,
    seesWorkloads,
    isExcludedNamespace: (namespace) => skips(namespace) !== undefined,
    webhookSkips: skips,
    topWorkloadOfPod,
    topWorkload,
    isTopLevel,
    workloadIdentityUse,
    labelledWorkloads,
    labelledPodCount,
    readyWebhook: snapshot.webhookDeployments.some((d) => d.readyReplicas > 0),
    webhookConfigured: snapshot.mutatingWebhooks.some((c) =>
      c.webhooks.some((w) => w.name === WEBHOOK_ENTRY_NAME || w.objectSelectorLabels[USE_LABEL] === "true"),
    ),
  };
}

/**
 * True when a cluster-level check already reports that the webhook cannot
 * mutate pods (add-on off with no webhook installed, no ready replica, or no
 * webhook configuration): pod-level "not mutated" findings would repeat it.
 */
export function webhookBrokenOnCluster(facts: ClusterFacts): boolean {
  if (facts.sees("deployments") && !facts.readyWebhook) return true;
  return facts.sees("mutatingwebhookconfigurations") && !facts.webhookConfigured;
}

/** A feature switched off matters only to a cluster whose workloads use it; "unknown" sits between. */
export function usageSeverity(use: WorkloadIdentityUse): Severity {
  switch (use) {
    case "used":
      return "high";
    case "unused":
      return "info";
    case "unknown":
      return "medium";
  }
}
