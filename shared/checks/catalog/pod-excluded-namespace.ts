import { clusterFacts } from "../cluster-facts.js";
import { kubectl } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { PodTargets, examplePods, isLive, type PodTarget } from "../pod-targets.js";
import type { WebhookSkip } from "../webhook-scope.js";
import { shellQuote as q } from "../shell-quote.js";
import { CLIENT_ID_ANNOTATION, hasUseLabel } from "../workload-identity.js";

export const podExcludedNamespace = defineCheck({
  id: "pod.excluded-namespace",
  reads: ["namespaces", "serviceaccounts", "pods", "workloads"],
  title: "Workload identity pods run in a namespace AKS never mutates",
  severityRule: "medium",
  risk: "The webhook is called only for pods whose namespace matches its configuration's namespaceSelector (on AKS the admissions enforcer excludes kube-system and namespaces labelled control-plane or kubernetes.azure.com/managedby: aks) and whose labels match its objectSelector: these pods never get a federated token, whatever else is right.",
  remediation: "Run the workload in a namespace the webhook serves (or remove the label that excludes the namespace).",
  docsUrl: DOCS.overview,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const usesIdentity = (namespace: string, serviceAccountName: string, labels: Readonly<Record<string, string>>) =>
      hasUseLabel(labels) || (facts.serviceAccount(namespace, serviceAccountName || "default")?.annotations[CLIENT_ID_ANNOTATION] ?? "").trim() !== "";

    // Judged by the cluster's own webhook selectors (webhook-scope.ts); a pod's labels matter for the objectSelector.
    const targets = new PodTargets(facts);
    const skipOf = new Map<PodTarget, WebhookSkip>();
    const add = (target: PodTarget, skip: WebhookSkip) => {
      if (!skipOf.has(target)) skipOf.set(target, skip);
    };
    for (const w of snapshot.workloads) {
      if (!facts.isTopLevel(w) || !usesIdentity(w.namespace, w.template.serviceAccountName, w.template.labels)) continue;
      const skip = facts.webhookSkips(w.namespace, hasUseLabel(w.template.labels) ? w.template.labels : undefined);
      if (skip !== undefined) add(targets.addWorkload(w), skip);
    }
    for (const pod of snapshot.pods) {
      if (!isLive(pod) || !usesIdentity(pod.namespace, pod.serviceAccountName, pod.labels)) continue;
      const skip = facts.webhookSkips(pod.namespace, hasUseLabel(pod.labels) ? pod.labels : undefined);
      if (skip !== undefined) add(targets.addPod(pod), skip);
    }
    return [...skipOf].map(([target, skip]) => {
      const fixLabel = skip.label === "control-plane" ? skip.label : undefined;
      return report({
        severity: "medium",
        resource: objectResource(cluster, target.kind, target.namespace, target.name),
        evidence: evidence({
          namespace: target.namespace,
          excludedBecause: skip.reason,
          judgedBy: skip.judgedBy === "aks-defaults" ? "AKS defaults: the webhook configuration could not be read" : "the cluster's webhook configuration",
          selector: skip.selector,
          pods: target.pods.length,
          examplePods: examplePods(target.pods),
        }),
        remediation:
          target.namespace === "kube-system"
            ? { text: "Move the workload out of kube-system into a namespace of its own, and federate its new subject." }
            : fixLabel !== undefined
              ? {
                  text: `Move the workload to another namespace, or remove the ${fixLabel} label if nothing else relies on it, then restart the workload.`,
                  command: kubectl(cluster, `label namespace ${q(target.namespace)} ${q(fixLabel)}-`),
                }
              : { text: "Move the workload to a namespace the webhook serves (the selector above says which), or have the webhook's selectors include it, then restart the workload." },
      });
    });
  },
});
