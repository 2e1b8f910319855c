import { annotateServiceAccount } from "../commands.js";
import { clusterFacts } from "../cluster-facts.js";
import { frontedByMisplacedClientId, servicesWithMisplacedClientId } from "../client-id-placement.js";
import { principalTrusting } from "../credential-match.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { CLIENT_ID_PLACEHOLDER } from "../placeholders.js";
import { PodTargets, describeTargets, examplePods, isLive, recreatePodsCommand } from "../pod-targets.js";
import { CLIENT_ID_ANNOTATION, hasUseLabel, serviceAccountSubject } from "../workload-identity.js";

export const saClientIdMissing = defineCheck({
  id: "sa.client-id-missing",
  reads: ["namespaces", "serviceaccounts", "pods", "workloads"],
  title: "Labelled pods run as a service account without a client id",
  severityRule: "high",
  risk: "The webhook silently leaves AZURE_CLIENT_ID out: the pods get a federated token but the SDK does not know which identity to ask for, so authentication fails.",
  remediation: "Annotate the service account with azure.workload.identity/client-id, then restart its workloads (the webhook only acts on new pods).",
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    // One group of workloads per service account: the fix is one annotation.
    const byServiceAccount = new Map<string, { namespace: string; name: string; targets: PodTargets }>();
    const lacksClientId = (namespace: string, serviceAccountName: string) => {
      if (facts.isExcludedNamespace(namespace) || !facts.sees("serviceaccounts", namespace)) return undefined;
      const name = serviceAccountName || "default";
      const sa = facts.serviceAccount(namespace, name);
      if ((sa?.annotations[CLIENT_ID_ANNOTATION] ?? "").trim() !== "") return undefined;
      const key = `${namespace}/${name}`;
      let entry = byServiceAccount.get(key);
      if (entry === undefined) {
        entry = { namespace, name, targets: new PodTargets(facts) };
        byServiceAccount.set(key, entry);
      }
      return entry.targets;
    };

    // A client id on the pod, its workload or a Service in front of it is sa.client-id-on-wrong-object.
    const misplaced = servicesWithMisplacedClientId(facts);
    for (const pod of snapshot.pods) {
      if (!hasUseLabel(pod.labels) || !isLive(pod)) continue;
      if (pod.annotations[CLIENT_ID_ANNOTATION] !== undefined) continue;
      if (frontedByMisplacedClientId(misplaced, pod.namespace, pod.labels)) continue;
      const top = facts.topWorkloadOfPod(pod);
      if (top !== undefined && hasClientIdAnnotation(top.annotations, top.template.annotations)) continue;
      // A client id set by hand in the pod spec works without the annotation.
      if (pod.containers.some((c) => c.env.AZURE_CLIENT_ID !== undefined)) continue;
      lacksClientId(pod.namespace, pod.serviceAccountName)?.addPod(pod);
    }
    for (const w of snapshot.workloads) {
      if (!facts.isTopLevel(w) || !hasUseLabel(w.template.labels)) continue;
      if (hasClientIdAnnotation(w.annotations, w.template.annotations)) continue;
      if (frontedByMisplacedClientId(misplaced, w.namespace, w.template.labels)) continue;
      // As for pods: a client id set by hand in the template is set in every pod it creates.
      if ((w.template.containers ?? []).some((c) => c.env.AZURE_CLIENT_ID !== undefined)) continue;
      lacksClientId(w.namespace, w.template.serviceAccountName)?.addWorkload(w);
    }

    return [...byServiceAccount.values()].map(({ namespace, name, targets }) => {
      const list = targets.list();
      const pods = list.flatMap((t) => t.pods);
      const principal = principalTrusting(view, cluster, serviceAccountSubject(namespace, name));
      const restarts = list.map((t) => recreatePodsCommand(cluster, t)).filter((c): c is string => c !== undefined);
      return report({
        severity: "high",
        resource: objectResource(cluster, "ServiceAccount", namespace, name, principal),
        evidence: evidence({
          serviceAccount: `${namespace}/${name}`,
          serviceAccountExists: facts.serviceAccount(namespace, name) !== undefined,
          workloads: describeTargets(list),
          labelledPods: pods.length,
          examplePods: examplePods(pods),
          suggestedClientId: principal?.clientId,
        }),
        remediation: {
          text: principal
            ? `Annotate the service account with the client id of ${principal.displayName}, which already trusts it, then restart its workloads.`
            : "Annotate the service account with the client id of the identity it should use, then restart its workloads.",
          command: [
            annotateServiceAccount(cluster, namespace, name, CLIENT_ID_ANNOTATION, principal?.clientId ?? CLIENT_ID_PLACEHOLDER),
            ...restarts,
          ].join("\n"),
        },
      });
    });
  },
});

function hasClientIdAnnotation(...annotationSets: ReadonlyArray<Readonly<Record<string, string>>>): boolean {
  return annotationSets.some((a) => a[CLIENT_ID_ANNOTATION] !== undefined);
}
