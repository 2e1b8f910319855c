import { azAksUpdate, kubectl } from "../commands.js";
import { clusterFacts } from "../cluster-facts.js";
import { clusterResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";

export const clusterWebhookNotRunning = defineCheck({
  id: "cluster.webhook-not-running",
  reads: ["deployments", "serviceaccounts", "pods", "workloads"],
  title: "Workload identity webhook is not running",
  severityRule: "high when pods or pod templates are labelled for workload identity; medium when the feature is on but nothing uses it yet",
  risk: "The webhook's failure policy is Fail: while no replica is ready, every new labelled pod is rejected, and pods that exist were never mutated.",
  remediation: "Bring the webhook back (re-run `az aks update --enable-workload-identity` for the add-on, or fix the Helm release), then restart labelled workloads.",
  docsUrl: DOCS.troubleshooting,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster, webhookDeployments } = snapshot;
    if (!cluster.workloadIdentityEnabled && facts.workloadIdentityUse !== "used") return [];
    if (!facts.sees("deployments") || facts.readyWebhook) return [];
    // Add-on off and nothing installed: cluster.workload-identity-disabled is the one finding.
    if (!cluster.workloadIdentityEnabled && webhookDeployments.length === 0) return [];
    const stuck = webhookDeployments[0];
    return [
      report({
        severity: facts.labelledWorkloads ? "high" : "medium",
        resource: clusterResource(cluster),
        evidence: evidence({
          webhookDeployments: webhookDeployments.length,
          deployment: stuck ? `${stuck.namespace}/${stuck.name}` : undefined,
          replicas: stuck?.replicas,
          readyReplicas: stuck ? stuck.readyReplicas : 0,
          labelledPods: facts.labelledPodCount,
        }),
        remediation: stuck
          ? {
              text: "The webhook deployment has no ready replica: look at its pods' events and logs, fix the cause, then restart labelled workloads.",
              command: kubectl(cluster, `describe deployment ${q(stuck.name)} --namespace ${q(stuck.namespace)}`),
            }
          : {
              text: "The add-on is enabled but its webhook deployment is missing: reconcile the add-on, then restart labelled workloads.",
              command: azAksUpdate(cluster, "--enable-workload-identity"),
            },
      }),
    ];
  },
});
