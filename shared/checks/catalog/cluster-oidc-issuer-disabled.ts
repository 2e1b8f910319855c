import { azAksUpdate } from "../commands.js";
import { clusterFacts, usageSeverity } from "../cluster-facts.js";
import { clusterResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";

export const clusterOidcIssuerDisabled = defineCheck({
  id: "cluster.oidc-issuer-disabled",
  reads: [],
  gradedBy: ["serviceaccounts", "pods", "workloads"],
  title: "Cluster has no OIDC issuer",
  severityRule:
    "high if the cluster has service accounts with a client-id annotation or labelled pods or pod templates; info if it has none; medium if they could not be listed",
  risk: "Without an OIDC issuer Entra ID cannot verify the cluster's service account tokens: no workload on it can exchange a token for an Azure one.",
  remediation: "Enable the OIDC issuer with `az aks update --enable-oidc-issuer`, then create federated credentials for its issuer URL.",
  docsUrl: DOCS.oidcIssuer,
  controls: [MCSB.centralizedIdentity],
  evaluateCluster(_view, snapshot, report) {
    const { cluster } = snapshot;
    if (cluster.oidcIssuerEnabled) return [];
    const facts = clusterFacts(snapshot);
    return [
      report({
        severity: usageSeverity(facts.workloadIdentityUse),
        resource: clusterResource(cluster),
        evidence: evidence({ oidcIssuerEnabled: false, workloadIdentityUse: facts.workloadIdentityUse }),
        remediation: {
          text: "Enable the cluster's OIDC issuer (it cannot be turned off again), then federate identities with the issuer URL it reports.",
          command: azAksUpdate(cluster, "--enable-oidc-issuer"),
        },
      }),
    ];
  },
});
