import { clusterResource, defineCheck, evidence } from "../define.js";
import { DOCS } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";
import { HELM_RELEASE_NAME } from "../workload-identity.js";

export const clusterWebhookDuplicate = defineCheck({
  id: "cluster.webhook-duplicate",
  reads: ["deployments"],
  title: "Two workload identity webhooks run side by side",
  severityRule: "medium",
  risk: "The AKS add-on and a Helm-installed webhook both mutate pods and fight over the same RBAC objects, which shows up as intermittent RBAC errors and double injection.",
  remediation: "Keep the add-on and uninstall the Helm release.",
  docsUrl: DOCS.helmInstall,
  controls: [],
  evaluateCluster(_view, snapshot, report) {
    const running = snapshot.webhookDeployments.filter((d) => d.readyReplicas > 0);
    const addon = running.find((d) => d.source === "aks-addon");
    const helm = running.find((d) => d.source === "helm");
    if (addon === undefined || helm === undefined) return [];
    const { cluster } = snapshot;
    return [
      report({
        severity: "medium",
        resource: clusterResource(cluster),
        evidence: evidence({ addonDeployment: `${addon.namespace}/${addon.name}`, helmDeployment: `${helm.namespace}/${helm.name}` }),
        remediation: {
          text: "The add-on manages its own webhook: uninstall the Helm release (check its name with `helm list --namespace` first if it was renamed).",
          command: `helm uninstall ${HELM_RELEASE_NAME} --namespace ${q(helm.namespace)} --kube-context ${q(cluster.name)}`,
        },
      }),
    ];
  },
});
