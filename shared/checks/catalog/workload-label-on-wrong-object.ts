import { clusterFacts } from "../cluster-facts.js";
import { patchPodTemplate } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { USE_LABEL, hasUseLabel } from "../workload-identity.js";

export const workloadLabelOnWrongObject = defineCheck({
  id: "workload.label-on-wrong-object",
  reads: ["serviceaccounts", "workloads"],
  title: "Use label is on the workload, not on its pod template",
  severityRule: "high",
  risk: "Since webhook v1.0 only the pod's own label counts: a label on a Deployment's metadata leaves every pod unmutated, without a token.",
  remediation: "Move azure.workload.identity/use: \"true\" into the pod template's labels.",
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    return snapshot.workloads.flatMap((w) => {
      if (!facts.isTopLevel(w) || facts.isExcludedNamespace(w.namespace)) return [];
      if (!hasUseLabel(w.labels) || hasUseLabel(w.template.labels)) return [];
      const immutable = w.kind === "Job";
      return [
        report({
          severity: "high",
          title: `Use label is on the ${w.kind}, not on its pod template`,
          resource: objectResource(cluster, w.kind, w.namespace, w.name),
          evidence: evidence({ labelOn: `${w.kind} metadata`, podTemplateLabel: w.template.labels[USE_LABEL] ?? "(absent)" }),
          remediation: immutable
            ? { text: "A Job's pod template cannot change: recreate the Job with the label in spec.template.metadata.labels." }
            : {
                text: "Label the pod template; the patch rolls out new, mutated pods.",
                command: patchPodTemplate(cluster, w.kind, w.namespace, w.name, { labels: { [USE_LABEL]: "true" } }),
              },
        }),
      ];
    });
  },
});
