import type { Annotations, ContainerSummary, Labels } from "../../cluster/model.js";
import type { Finding } from "../../findings/index.js";
import { clusterFacts } from "../cluster-facts.js";
import { trusts } from "../credential-match.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import type { FleetView, WorkloadPrincipal } from "../fleet-view.js";
import { identityBindingCredential, optsIntoIdentityBinding } from "../identity-binding.js";
import { DOCS, MCSB } from "../links.js";
import { PodTargets, isLive, type PodTarget } from "../pod-targets.js";
import { CLIENT_ID_ANNOTATION, hasUseLabel, isGuid, serviceAccountSubject } from "../workload-identity.js";

/**
 * A container that sets AZURE_CLIENT_ID itself: the webhook adds a variable
 * only "if not exists" (azure-workload-identity pkg/webhook/webhook.go
 * addEnvironmentVariables), so the workload asks Entra for that identity,
 * whatever the service account's client-id annotation says. Pods and pod
 * templates are judged by one rule.
 */
export const podClientIdOverridden = defineCheck({
  id: "pod.client-id-overridden",
  reads: ["serviceaccounts", "pods", "workloads", "principals", "federated-credentials"],
  gradedBy: ["tenant-inventory"],
  title: "A hand-set AZURE_CLIENT_ID overrides the service account's identity",
  severityRule: "high when the identity set by hand has no federated credential for this cluster and service account, or does not exist in the tenant (the exchange fails); medium when it differs from the service account's client-id annotation but is trusted (the annotation misleads readers and every check that trusts it)",
  risk: "The webhook never overwrites a variable that is already set: the pod authenticates as the identity written in its spec, not the annotated one. If that identity does not trust this service account, Entra answers AADSTS70021; if it does not exist, AADSTS700016.",
  remediation: "Remove AZURE_CLIENT_ID from the pod spec and let the webhook inject the service account's client id, or make the two agree and federate the identity actually used.",
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const issuer = cluster.oidcIssuerUrl;
    const targets = new PodTargets(facts);
    const verdicts = new Map<PodTarget, Verdict>();

    const judge = (namespace: string, serviceAccountName: string, labels: Labels, annotations: Annotations, containers: readonly ContainerSummary[], isTemplate: boolean) => {
      if (!hasUseLabel(labels) || facts.isExcludedNamespace(namespace) || !facts.sees("serviceaccounts", namespace)) return undefined;
      const name = serviceAccountName || "default";
      const annotated = facts.serviceAccount(namespace, name)?.annotations[CLIENT_ID_ANNOTATION]?.trim() ?? "";
      // valueFrom is kept as "": its value is unknown. In a pod, the annotation's own value may be the webhook's doing.
      const handSet = containers.map((c) => c.env.AZURE_CLIENT_ID?.trim()).find(
        (v): v is string => v !== undefined && v !== "" && (isTemplate || v.toLowerCase() !== annotated.toLowerCase()),
      );
      if (handSet === undefined) return undefined;
      const verdict = verdictFor(view, issuer, namespace, name, handSet, annotated, optsIntoIdentityBinding(annotations));
      return verdict;
    };

    for (const w of snapshot.workloads) {
      if (!facts.isTopLevel(w)) continue;
      const verdict = judge(w.namespace, w.template.serviceAccountName, w.template.labels, w.template.annotations, w.template.containers ?? [], true);
      if (verdict !== undefined) verdicts.set(targets.addWorkload(w), verdict);
    }
    for (const pod of snapshot.pods) {
      if (!isLive(pod)) continue;
      const verdict = judge(pod.namespace, pod.serviceAccountName, pod.labels, pod.annotations, pod.containers, false);
      if (verdict === undefined) continue;
      const target = targets.addPod(pod);
      if (!verdicts.has(target)) verdicts.set(target, verdict);
    }

    const findings: Finding[] = [];
    for (const [target, v] of verdicts) {
      findings.push(
        report({
          severity: v.severity,
          ...(v.title !== undefined && { title: v.title }),
          resource: objectResource(cluster, target.kind, target.namespace, target.name, v.principal),
          evidence: evidence({
            serviceAccount: v.serviceAccount,
            handSetClientId: v.handSet,
            annotatedClientId: v.annotated === "" ? "(none)" : v.annotated,
            handSetIdentity: v.principal?.displayName,
            trustedByHandSetIdentity: v.trusted,
            predicts: v.predicts,
            pods: target.pods.length,
          }),
          remediation: {
            text:
              v.annotated !== ""
                ? "Remove AZURE_CLIENT_ID from the pod spec so the webhook injects the service account's client id (or set the annotation to the identity you mean and federate it), then restart the workload."
                : "Move the client id to the service account's azure.workload.identity/client-id annotation and remove AZURE_CLIENT_ID from the pod spec; federate the identity for this service account, then restart the workload.",
          },
        }),
      );
    }
    return findings;
  },
});

interface Verdict {
  severity: "high" | "medium";
  title?: string;
  serviceAccount: string;
  handSet: string;
  annotated: string;
  principal?: WorkloadPrincipal;
  trusted?: boolean;
  predicts?: string;
}

function verdictFor(
  view: FleetView,
  issuer: string | undefined,
  namespace: string,
  name: string,
  handSet: string,
  annotated: string,
  binding: boolean,
): Verdict | undefined {
  const base = { serviceAccount: `${namespace}/${name}`, handSet, annotated };
  const differs = annotated !== "" && annotated.toLowerCase() !== handSet.toLowerCase();
  const principal = isGuid(handSet) ? view.principalByClientId.get(handSet.toLowerCase()) : undefined;
  if (principal === undefined) {
    // Unknown only when the scan could have seen it: every subscription read and Microsoft Graph answered.
    const sawEverything = view.inventory.complete && view.applicationsKnown && !view.unresolvedClientIds.has(handSet.toLowerCase());
    if (sawEverything) return { ...base, severity: "high", title: "A hand-set AZURE_CLIENT_ID names no identity of the tenant", predicts: "AADSTS700016" };
    return differs ? { ...base, severity: "medium" } : undefined;
  }
  if (!principal.credentialsKnown || issuer === undefined || issuer === "") return differs ? { ...base, principal, severity: "medium" } : undefined;
  const trusted = binding
    ? identityBindingCredential(principal) !== undefined
    : principal.credentials.some((c) => trusts(c, issuer, serviceAccountSubject(namespace, name)));
  if (!trusted) return { ...base, principal, trusted, severity: "high", title: "A hand-set AZURE_CLIENT_ID names an identity that does not trust this service account", predicts: "AADSTS70021" };
  return differs ? { ...base, principal, trusted, severity: "medium" } : undefined;
}
