import type { Finding } from "../../findings/index.js";
import { clusterFacts } from "../cluster-facts.js";
import { patchPodTemplate } from "../commands.js";
import { serviceAccountTrusts } from "../credential-match.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { USE_IDENTITY_BINDING_ANNOTATION, identityBindingCredential, isPod, serviceAccountModes } from "../identity-binding.js";
import { DOCS, MCSB } from "../links.js";
import { PodTargets, examplePods } from "../pod-targets.js";

/**
 * Labelled pods that do not opt in to identity binding, running as a service
 * account whose identity has no credential for this cluster's issuer but does
 * have the AKS-managed identity-binding one: they ask Entra with the cluster's
 * own token and get AADSTS70021, while the binding that would serve them goes
 * unused. Reported here instead of sa.no-matching-fic, whose fix (one more
 * credential per cluster) is what bindings exist to avoid.
 */
export const bindingAnnotationMissing = defineCheck({
  id: "binding.annotation-missing",
  reads: ["serviceaccounts", "pods", "workloads", "principals", "federated-credentials"],
  title: "Pods of an identity-binding identity do not opt in to identity binding",
  severityRule: "high",
  risk: "Without the annotation azure.workload.identity/use-identity-binding: \"true\" the webhook gives the pod a token of the cluster's own issuer, which the identity does not trust (AADSTS70021): the workload gets no Azure token although a binding exists for its identity.",
  remediation: "Add the annotation azure.workload.identity/use-identity-binding: \"true\" to the pod template (the webhook reads it from the pod), then restart the workload; or create a federated credential for the cluster's issuer and this service account.",
  docsUrl: DOCS.identityBindings,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const modes = serviceAccountModes(snapshot, facts);
    const findings: Finding[] = [];
    for (const { serviceAccount: sa, principal, match } of serviceAccountTrusts(view, snapshot)) {
      if (match.kind === "exact" || facts.isExcludedNamespace(sa.namespace)) continue;
      const binding = identityBindingCredential(principal);
      const users = modes.get(`${sa.namespace}/${sa.name}`);
      if (binding === undefined || users === undefined || users.plain.length === 0) continue;
      const targets = new PodTargets(facts);
      for (const user of users.plain) (isPod(user) ? targets.addPod(user) : targets.addWorkload(user));
      for (const target of targets.list()) {
        const { workload } = target;
        findings.push(
          report({
            severity: "high",
            resource: objectResource(cluster, target.kind, target.namespace, target.name, principal),
            evidence: evidence({
              serviceAccount: `${sa.namespace}/${sa.name}`,
              identity: principal.displayName,
              identityBindingCredential: binding.name,
              identityBindingIssuer: binding.issuer,
              annotation: USE_IDENTITY_BINDING_ANNOTATION,
              pods: target.pods.length,
              examplePods: examplePods(target.pods),
            }),
            remediation:
              workload !== undefined && workload.kind !== "Job" && workload.kind !== "ReplicaSet"
                ? {
                    text: "Opt the pod template in to identity binding (the patch restarts the workload); the service account also needs the ClusterRole that allows use-managed-identity for this identity.",
                    command: patchPodTemplate(cluster, workload.kind, target.namespace, target.name, { annotations: { [USE_IDENTITY_BINDING_ANNOTATION]: "true" } }),
                  }
                : { text: `Add ${USE_IDENTITY_BINDING_ANNOTATION}: "true" to the ${target.kind}'s pod metadata and recreate it.` },
          }),
        );
      }
    }
    return findings;
  },
});
