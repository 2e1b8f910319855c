/**
 * Pod-level problems are reported once per workload, not once per pod: pod
 * names change on every rollout, the fix lives on the workload, and a
 * Deployment with 300 replicas is one problem.
 */
import type { AksCluster } from "../inventory/model.js";
import { WORKLOAD_KINDS, type PodSummary, type WorkloadKind, type WorkloadSummary } from "../cluster/model.js";
import type { ClusterFacts } from "./cluster-facts.js";
import { kubectl, rolloutRestart } from "./commands.js";
import { shellQuote as q } from "./shell-quote.js";

export interface PodTarget {
  /** Top-level workload kind, the pod's direct owner kind when that was not collected, or "Pod". */
  kind: string;
  namespace: string;
  name: string;
  workload?: WorkloadSummary;
  pods: PodSummary[];
}

export class PodTargets {
  private readonly byKey = new Map<string, PodTarget>();
  constructor(private readonly facts: ClusterFacts) {}

  addPod(pod: PodSummary): PodTarget {
    const workload = this.facts.topWorkloadOfPod(pod);
    const target = workload
      ? this.target(workload.kind, workload.namespace, workload.name, workload)
      : pod.owner
        ? this.target(pod.owner.kind, pod.namespace, pod.owner.name)
        : this.target("Pod", pod.namespace, pod.name);
    target.pods.push(pod);
    return target;
  }

  /** A pod known only by name (e.g. from log evidence), reported as itself. */
  addPodName(namespace: string, name: string): PodTarget {
    return this.target("Pod", namespace, name);
  }

  addWorkload(workload: WorkloadSummary): PodTarget {
    const top = this.facts.topWorkload(workload);
    return this.target(top.kind, top.namespace, top.name, top);
  }

  has(kind: string, namespace: string, name: string): boolean {
    return this.byKey.has(`${kind}/${namespace}/${name}`);
  }

  list(): PodTarget[] {
    return [...this.byKey.values()];
  }

  private target(kind: string, namespace: string, name: string, workload?: WorkloadSummary): PodTarget {
    const key = `${kind}/${namespace}/${name}`;
    let target = this.byKey.get(key);
    if (target === undefined) {
      target = { kind, namespace, name, ...(workload !== undefined && { workload }), pods: [] };
      this.byKey.set(key, target);
    }
    return target;
  }
}

/**
 * How to get fresh pods (the webhook only mutates pods it sees created):
 * rollout restart where the kind supports it, deleting the pods where a
 * ReplicaSet recreates them, nothing for Jobs and bare pods (recreate them).
 */
export function recreatePodsCommand(cluster: AksCluster, target: PodTarget): string | undefined {
  if (target.workload !== undefined) {
    const restart = rolloutRestart(cluster, target.workload.kind, target.namespace, target.name);
    if (restart !== undefined) return restart;
  }
  if (target.kind === "ReplicaSet" && target.pods.length > 0) {
    return kubectl(cluster, `delete pod --namespace ${q(target.namespace)} ${target.pods.map((p) => q(p.name)).join(" ")}`);
  }
  return undefined;
}

export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (WORKLOAD_KINDS as readonly string[]).includes(kind);
}

/** First few pod names, for evidence: enough to find them, small enough to store. */
export function examplePods(pods: readonly PodSummary[]): string | undefined {
  if (pods.length === 0) return undefined;
  const names = pods.slice(0, 3).map((p) => p.name);
  return pods.length > 3 ? `${names.join(", ")} (+${pods.length - 3} more)` : names.join(", ");
}

/** Completed pods are history: nothing about them can still break. */
export function isLive(pod: PodSummary): boolean {
  return pod.phase !== "Succeeded" && pod.phase !== "Failed";
}

export function describeTargets(targets: readonly PodTarget[]): string {
  const names = targets.slice(0, 5).map((t) => `${t.kind}/${t.name}`);
  return targets.length > 5 ? `${names.join(", ")} (+${targets.length - 5} more)` : names.join(", ");
}
