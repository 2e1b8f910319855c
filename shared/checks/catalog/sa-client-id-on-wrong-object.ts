import type { Finding } from "../../findings/index.js";
import { annotateServiceAccount } from "../commands.js";
import { clusterFacts } from "../cluster-facts.js";
import { objectResource, defineCheck, evidence, type FindingDraft } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { PodTargets, isLive, recreatePodsCommand, type PodTarget } from "../pod-targets.js";
import { selects, servicesWithMisplacedClientId } from "../client-id-placement.js";
import type { Placeholder } from "../commands.js";
import { CLIENT_ID_ANNOTATION } from "../workload-identity.js";

const SERVICE_ACCOUNT_PLACEHOLDER: Placeholder = {
  variable: "SERVICE_ACCOUNT",
  hint: "set SERVICE_ACCOUNT to the service account the Service's pods run as",
};

export const saClientIdOnWrongObject = defineCheck({
  id: "sa.client-id-on-wrong-object",
  reads: ["serviceaccounts", "pods", "workloads", "services"],
  title: "Client id annotation is on the wrong object",
  severityRule: "high",
  risk: "The webhook reads the client id only from the pod's service account; on a Service, Deployment or pod it does nothing and the workload runs without AZURE_CLIENT_ID.",
  remediation: "Move azure.workload.identity/client-id to the service account the pods run as, then restart the workload.",
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    const saClientId = (namespace: string, name: string) =>
      (facts.serviceAccount(namespace, name || "default")?.annotations[CLIENT_ID_ANNOTATION] ?? "").trim();

    // A Service has no service account: name the one its selected pods run as when there is exactly one.
    for (const service of servicesWithMisplacedClientId(facts)) {
      const clientId = service.annotations[CLIENT_ID_ANNOTATION] ?? "";
      const fronted = new PodTargets(facts);
      const serviceAccounts = new Set<string>();
      for (const pod of snapshot.pods) {
        if (!isLive(pod) || !selects(service, pod.namespace, pod.labels)) continue;
        fronted.addPod(pod);
        serviceAccounts.add(pod.serviceAccountName || "default");
      }
      for (const w of snapshot.workloads) {
        if (!facts.isTopLevel(w) || !selects(service, w.namespace, w.template.labels)) continue;
        fronted.addWorkload(w);
        serviceAccounts.add(w.template.serviceAccountName || "default");
      }
      const [runsAs] = serviceAccounts.size === 1 ? [...serviceAccounts] : [];
      const restarts = fronted.list().map((t) => recreatePodsCommand(cluster, t)).filter((c): c is string => c !== undefined);
      findings.push(
        report(
          draft("Service", service.namespace, service.name, clientId, runsAs, {
            text:
              runsAs !== undefined
                ? `A Service's annotations never reach its pods: annotate service account ${runsAs}, which its pods run as, then restart them.`
                : "A Service's annotations never reach its pods: annotate the service account its pods run as, then restart them.",
            command: [
              annotateServiceAccount(cluster, service.namespace, runsAs ?? SERVICE_ACCOUNT_PLACEHOLDER, CLIENT_ID_ANNOTATION, clientId),
              ...(runsAs !== undefined ? restarts : []),
            ].join("\n"),
          }),
        ),
      );
    }

    const targets = new PodTargets(facts);
    const wrong = new Map<PodTarget, { clientId: string; serviceAccount: string }>();
    for (const w of snapshot.workloads) {
      if (!facts.isTopLevel(w) || !facts.sees("serviceaccounts", w.namespace)) continue;
      const clientId = w.template.annotations[CLIENT_ID_ANNOTATION] ?? w.annotations[CLIENT_ID_ANNOTATION];
      if (clientId === undefined || saClientId(w.namespace, w.template.serviceAccountName) !== "") continue;
      wrong.set(targets.addWorkload(w), { clientId, serviceAccount: w.template.serviceAccountName || "default" });
    }
    for (const pod of snapshot.pods) {
      const clientId = pod.annotations[CLIENT_ID_ANNOTATION];
      // Completed pods are history, as in every other pod check (docs/checks.md "Pods and templates, one rule").
      if (clientId === undefined || !isLive(pod) || !facts.sees("serviceaccounts", pod.namespace)) continue;
      if (saClientId(pod.namespace, pod.serviceAccountName) !== "") continue;
      const target = targets.addPod(pod);
      if (!wrong.has(target)) wrong.set(target, { clientId, serviceAccount: pod.serviceAccountName || "default" });
    }
    for (const [target, { clientId, serviceAccount }] of wrong) {
      const restart = recreatePodsCommand(cluster, target);
      findings.push(
        report(draft(target.kind, target.namespace, target.name, clientId, serviceAccount, {
          text: `The webhook reads the client id from service account ${serviceAccount}, not from the ${target.kind}: annotate the service account, then ${restart ? "restart the workload" : "recreate the pods"}.`,
          command: [annotateServiceAccount(cluster, target.namespace, serviceAccount, CLIENT_ID_ANNOTATION, clientId), ...(restart ? [restart] : [])].join("\n"),
        })),
      );
    }
    return findings;

    function draft(
      kind: string,
      namespace: string,
      name: string,
      clientId: string,
      serviceAccount: string | undefined,
      remediation: FindingDraft["remediation"],
    ): FindingDraft {
      return {
        severity: "high",
        title: `Client id annotation is on a ${kind} instead of its service account`,
        resource: objectResource(cluster, kind, namespace, name),
        evidence: evidence({ annotatedObject: `${kind}/${name}`, clientId, serviceAccount }),
        remediation,
      };
    }
  },
});
