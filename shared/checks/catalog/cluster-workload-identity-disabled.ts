import { azAksUpdate } from "../commands.js";
import { clusterFacts, usageSeverity } from "../cluster-facts.js";
import { clusterResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";

export const clusterWorkloadIdentityDisabled = defineCheck({
  id: "cluster.workload-identity-disabled",
  reads: ["deployments"],
  gradedBy: ["serviceaccounts", "pods", "workloads"],
  title: "Workload identity is not enabled on the cluster",
  severityRule:
    "high if the cluster has service accounts with a client-id annotation or labelled pods or pod templates; info if it has none; medium if they could not be listed; low when a self-managed (Helm) webhook is running in its place",
  risk: "Without the workload identity add-on (or a self-managed webhook) labelled pods are not mutated: they get no federated token and no AZURE_* variables.",
  remediation: "Enable the add-on with `az aks update --enable-workload-identity` (it needs the OIDC issuer), then restart the labelled workloads.",
  docsUrl: DOCS.deploy,
  controls: [MCSB.centralizedIdentity],
  evaluateCluster(_view, snapshot, report) {
    const { cluster } = snapshot;
    if (cluster.workloadIdentityEnabled) return [];
    const facts = clusterFacts(snapshot);
    const helmWebhookReady = snapshot.webhookDeployments.some((d) => d.source === "helm" && d.readyReplicas > 0);
    const flags = cluster.oidcIssuerEnabled ? "--enable-workload-identity" : "--enable-oidc-issuer --enable-workload-identity";
    return [
      report({
        severity: helmWebhookReady ? "low" : usageSeverity(facts.workloadIdentityUse),
        resource: clusterResource(cluster),
        evidence: evidence({
          workloadIdentityEnabled: false,
          workloadIdentityUse: facts.workloadIdentityUse,
          selfManagedWebhookRunning: helmWebhookReady,
          labelledPods: facts.labelledPodCount,
        }),
        remediation: {
          text: helmWebhookReady
            ? "A self-managed webhook does the add-on's job here; enable the add-on only after removing it, so the two do not run side by side."
            : "Enable the workload identity add-on, then restart labelled workloads so their pods are mutated.",
          command: azAksUpdate(cluster, flags),
        },
      }),
    ];
  },
});
