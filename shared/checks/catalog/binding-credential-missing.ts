import type { Finding } from "../../findings/index.js";
import { clusterFacts } from "../cluster-facts.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import type { WorkloadPrincipal } from "../fleet-view.js";
import { identityBindingCredential, optedInEvidence, optedInServiceAccounts } from "../identity-binding.js";
import { DOCS, MCSB } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";
import type { AksCluster } from "../../inventory/model.js";

/**
 * Pods opt in to identity binding but their identity has none: no binding
 * means no `aks-identity-binding` credential on the identity (AKS creates it
 * with the first binding, azure-aks-docs articles/aks/identity-bindings.md).
 * Bindings themselves are ARM children of the cluster
 * (managedClusters/identityBindings), which the inventory does not read yet:
 * the credential is the evidence that some binding of the identity exists.
 */
export const bindingCredentialMissing = defineCheck({
  id: "binding.credential-missing",
  reads: ["serviceaccounts", "pods", "workloads", "principals", "federated-credentials"],
  title: "Pods opt in to identity binding but their identity has no identity binding",
  severityRule: "high",
  risk: "The webhook sends these pods' tokens through AKS's token proxy for the binding's audience; without an identity binding for the identity there is no aks-identity-binding credential to accept them, and the workload gets no Azure token.",
  remediation: "Create an identity binding for the identity on this cluster (az aks identity-binding create), or remove the use-identity-binding annotation and federate the service account the default way.",
  docsUrl: DOCS.identityBindings,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    for (const account of optedInServiceAccounts(view, snapshot, facts)) {
      const { namespace, name, principal } = account;
      if (identityBindingCredential(principal) !== undefined) continue;
      findings.push(
        report({
          severity: "high",
          resource: objectResource(cluster, "ServiceAccount", namespace, name, principal),
          evidence: evidence({ ...optedInEvidence(account), identityKind: principal.kind }),
          remediation: remediationFor(cluster, principal),
        }),
      );
    }
    return findings;
  },
});

function remediationFor(cluster: AksCluster, principal: WorkloadPrincipal): { text: string; command?: string } {
  if (principal.kind !== "managed-identity") {
    return {
      text: "Identity bindings map a user-assigned managed identity to a cluster; this service account names an app registration. Point it at a managed identity with a binding, or remove the use-identity-binding annotation and federate the app the default way.",
    };
  }
  // The command of azure-aks-docs articles/aks/identity-bindings.md, "Create an identity binding".
  return {
    text: `Create an identity binding mapping ${principal.displayName} to this cluster (AKS then creates the aks-identity-binding credential), authorize the service account with the ClusterRole the doc shows, then restart the workloads.`,
    command:
      `az aks identity-binding create --subscription ${q(cluster.subscriptionId)} --resource-group ${q(cluster.resourceGroup)} ` +
      `--cluster-name ${q(cluster.name)} --name ${q(`${principal.identity.name}-ib`)} --managed-identity-resource-id ${q(principal.identity.id)}`,
  };
}
