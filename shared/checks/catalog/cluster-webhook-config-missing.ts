import { azAksUpdate } from "../commands.js";
import { clusterFacts } from "../cluster-facts.js";
import { clusterResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";
import { HELM_RELEASE_NAME, HELM_WEBHOOK_NAMESPACE, WEBHOOK_ENTRY_NAME } from "../workload-identity.js";

export const clusterWebhookConfigMissing = defineCheck({
  id: "cluster.webhook-config-missing",
  reads: ["mutatingwebhookconfigurations", "deployments", "serviceaccounts", "pods", "workloads"],
  title: "No mutating webhook configuration for workload identity",
  severityRule: "high when pods or pod templates are labelled for workload identity; medium otherwise",
  risk: "Without the MutatingWebhookConfiguration the API server never calls the webhook: labelled pods start without a federated token.",
  remediation: "Reconcile the add-on (`az aks update --enable-workload-identity`) or re-install the Helm chart, then restart labelled workloads.",
  docsUrl: DOCS.troubleshooting,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster, webhookDeployments } = snapshot;
    if (!cluster.workloadIdentityEnabled && facts.workloadIdentityUse !== "used") return [];
    if (!facts.sees("mutatingwebhookconfigurations") || facts.webhookConfigured) return [];
    // No webhook installed at all is one problem, reported by webhook-not-running or workload-identity-disabled.
    if (facts.sees("deployments") && webhookDeployments.length === 0) return [];
    const helm = webhookDeployments.find((d) => d.source === "helm");
    const command =
      helm !== undefined || !cluster.workloadIdentityEnabled
        ? `helm upgrade --install ${HELM_RELEASE_NAME} azure-workload-identity/workload-identity-webhook ` +
          `--namespace ${q(helm?.namespace ?? HELM_WEBHOOK_NAMESPACE)} --kube-context ${q(cluster.name)} --set ${q(`azureTenantID=${cluster.tenantId}`)}`
        : azAksUpdate(cluster, "--enable-workload-identity");
    return [
      report({
        severity: facts.labelledWorkloads ? "high" : "medium",
        resource: clusterResource(cluster),
        evidence: evidence({
          expectedWebhook: WEBHOOK_ENTRY_NAME,
          mutatingWebhookConfigurations: snapshot.mutatingWebhooks.length,
          labelledPods: facts.labelledPodCount,
        }),
        remediation: {
          text: "Restore the webhook configuration, then restart labelled workloads so their pods are mutated.",
          command,
        },
      }),
    ];
  },
});
