import { clusterFacts } from "../cluster-facts.js";
import { patchPodTemplate } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { PodTargets } from "../pod-targets.js";
import { INJECT_PROXY_SIDECAR_ANNOTATION, hasUseLabel } from "../workload-identity.js";

export const podProxySidecarHostNetwork = defineCheck({
  id: "pod.proxy-sidecar-host-network",
  reads: ["pods", "workloads"],
  title: "Proxy sidecar requested on a host-network pod",
  severityRule: "medium",
  risk: "The webhook rejects labelled pods that ask for the proxy sidecar (its mere presence counts, even \"false\") and use hostNetwork: such pods are never created.",
  remediation: "Remove the inject-proxy-sidecar annotation or hostNetwork: true from the pod template.",
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const targets = new PodTargets(facts);
    for (const w of snapshot.workloads) {
      const t = w.template;
      if (facts.isTopLevel(w) && hasUseLabel(t.labels) && t.hostNetwork && t.annotations[INJECT_PROXY_SIDECAR_ANNOTATION] !== undefined) {
        targets.addWorkload(w);
      }
    }
    for (const pod of snapshot.pods) {
      if (hasUseLabel(pod.labels) && pod.hostNetwork && pod.annotations[INJECT_PROXY_SIDECAR_ANNOTATION] !== undefined) targets.addPod(pod);
    }
    return targets.list().map((target) => {
      const { workload } = target;
      const value = workload?.template.annotations[INJECT_PROXY_SIDECAR_ANNOTATION] ?? target.pods[0]?.annotations[INJECT_PROXY_SIDECAR_ANNOTATION];
      return report({
        severity: "medium",
        resource: objectResource(cluster, target.kind, target.namespace, target.name),
        evidence: evidence({ annotation: INJECT_PROXY_SIDECAR_ANNOTATION, value, hostNetwork: true }),
        remediation:
          workload !== undefined && workload.kind !== "Job" && workload.kind !== "ReplicaSet"
            ? {
                text: "Remove the annotation from the pod template (its presence alone requests the sidecar), or drop hostNetwork.",
                command: patchPodTemplate(cluster, workload.kind, target.namespace, target.name, { annotations: { [INJECT_PROXY_SIDECAR_ANNOTATION]: null } }),
              }
            : { text: `Remove the annotation or hostNetwork from the ${target.kind}'s pod spec and recreate it.` },
      });
    });
  },
});
