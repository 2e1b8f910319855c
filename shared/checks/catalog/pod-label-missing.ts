import { clusterFacts } from "../cluster-facts.js";
import { patchPodTemplate } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { PodTargets, examplePods, isLive, isWorkloadKind, recreatePodsCommand } from "../pod-targets.js";
import { CLIENT_ID_ANNOTATION, USE_LABEL, hasUseLabel } from "../workload-identity.js";

export const podLabelMissing = defineCheck({
  id: "pod.label-missing",
  reads: ["namespaces", "serviceaccounts", "pods", "workloads"],
  title: "Pods run as a workload identity service account without the use label",
  severityRule: "high",
  risk: "The webhook selects pods by their own label azure.workload.identity/use: \"true\"; without it on the pod (a label on the service account or the Deployment does nothing) the pod gets no federated token.",
  remediation: "Add the label azure.workload.identity/use: \"true\" to the pod template (not the Deployment's or service account's own metadata).",
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const annotated = (namespace: string, serviceAccountName: string) =>
      (facts.serviceAccount(namespace, serviceAccountName || "default")?.annotations[CLIENT_ID_ANNOTATION] ?? "").trim() !== "";
    const inScope = (namespace: string) => !facts.isExcludedNamespace(namespace) && facts.sees("serviceaccounts", namespace);

    const targets = new PodTargets(facts);
    for (const w of snapshot.workloads) {
      if (!facts.isTopLevel(w) || !inScope(w.namespace)) continue;
      // Label on the workload's own metadata: workload.label-on-wrong-object is the one finding.
      if (hasUseLabel(w.labels) || hasUseLabel(w.template.labels) || !annotated(w.namespace, w.template.serviceAccountName)) continue;
      targets.addWorkload(w);
    }
    for (const pod of snapshot.pods) {
      if (!isLive(pod) || hasUseLabel(pod.labels) || !inScope(pod.namespace) || !annotated(pod.namespace, pod.serviceAccountName)) continue;
      const top = facts.topWorkloadOfPod(pod);
      if (top !== undefined && hasUseLabel(top.labels) && !hasUseLabel(top.template.labels)) continue;
      targets.addPod(pod);
    }

    return targets.list().map((target) => {
      const { workload } = target;
      const serviceAccount = (workload?.template.serviceAccountName ?? target.pods[0]?.serviceAccountName ?? "") || "default";
      const sa = facts.serviceAccount(target.namespace, serviceAccount);
      const templateLabelled = workload !== undefined && hasUseLabel(workload.template.labels);
      const foundValue = target.pods.map((p) => p.labels[USE_LABEL]).find((v) => v !== undefined) ?? workload?.template.labels[USE_LABEL];
      let command: string | undefined;
      let text: string;
      if (templateLabelled) {
        command = recreatePodsCommand(cluster, target);
        text = "The pod template has the label but these pods were created before it: recreate them.";
      } else if (workload !== undefined && isWorkloadKind(target.kind) && target.kind !== "Job" && target.kind !== "ReplicaSet") {
        command = patchPodTemplate(cluster, workload.kind, target.namespace, target.name, { labels: { [USE_LABEL]: "true" } });
        text = `Label the ${target.kind}'s pod template; the patch rolls out new, mutated pods.`;
      } else {
        text = `Add the label ${USE_LABEL}: "true" to the pod spec and recreate the pods (the webhook only acts when a pod is created).`;
      }
      return report({
        severity: "high",
        resource: objectResource(cluster, target.kind, target.namespace, target.name),
        evidence: evidence({
          serviceAccount: `${target.namespace}/${serviceAccount}`,
          clientId: sa?.annotations[CLIENT_ID_ANNOTATION],
          foundLabelValue: foundValue,
          serviceAccountLabelled: sa !== undefined && hasUseLabel(sa.labels) ? true : undefined,
          pods: target.pods.length,
          examplePods: examplePods(target.pods),
        }),
        remediation: command !== undefined ? { text, command } : { text },
      });
    });
  },
});
