import { clusterFacts } from "../cluster-facts.js";
import { kubectl } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { PodTargets, examplePods, isLive } from "../pod-targets.js";
import { shellQuote as q } from "../shell-quote.js";
import { CLIENT_ID_ANNOTATION, hasUseLabel } from "../workload-identity.js";

export const podExcludedNamespace = defineCheck({
  id: "pod.excluded-namespace",
  reads: ["namespaces", "serviceaccounts", "pods", "workloads"],
  title: "Workload identity pods run in a namespace AKS never mutates",
  severityRule: "medium",
  risk: "AKS skips pods in kube-system and in namespaces labelled control-plane: these pods never get a federated token, whatever else is right.",
  remediation: "Run the workload in a namespace of its own.",
  docsUrl: DOCS.overview,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const usesIdentity = (namespace: string, serviceAccountName: string, labels: Readonly<Record<string, string>>) =>
      hasUseLabel(labels) || (facts.serviceAccount(namespace, serviceAccountName || "default")?.annotations[CLIENT_ID_ANNOTATION] ?? "").trim() !== "";

    const targets = new PodTargets(facts);
    for (const w of snapshot.workloads) {
      if (facts.isTopLevel(w) && facts.isExcludedNamespace(w.namespace) && usesIdentity(w.namespace, w.template.serviceAccountName, w.template.labels)) {
        targets.addWorkload(w);
      }
    }
    for (const pod of snapshot.pods) {
      if (isLive(pod) && facts.isExcludedNamespace(pod.namespace) && usesIdentity(pod.namespace, pod.serviceAccountName, pod.labels)) {
        targets.addPod(pod);
      }
    }
    return targets.list().map((target) => {
      const why = target.namespace === "kube-system" ? "kube-system" : "labelled control-plane";
      return report({
        severity: "medium",
        resource: objectResource(cluster, target.kind, target.namespace, target.name),
        evidence: evidence({ namespace: target.namespace, excludedBecause: why, pods: target.pods.length, examplePods: examplePods(target.pods) }),
        remediation:
          target.namespace === "kube-system"
            ? { text: "Move the workload out of kube-system into a namespace of its own, and federate its new subject." }
            : {
                text: "Move the workload to another namespace, or remove the control-plane label if nothing else relies on it, then restart the workload.",
                command: kubectl(cluster, `label namespace ${q(target.namespace)} control-plane-`),
              },
      });
    });
  },
});
