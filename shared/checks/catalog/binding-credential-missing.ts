import type { Finding } from "../../findings/index.js";
import { clusterFacts } from "../cluster-facts.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import type { WorkloadPrincipal } from "../fleet-view.js";
import { bindingNames, clusterBinding, identityBindingCommand, identityBindingCredential, optedInEvidence, optedInServiceAccounts } from "../identity-binding.js";
import { DOCS, MCSB } from "../links.js";
import type { AksCluster } from "../../inventory/model.js";

/**
 * Pods opt in to identity binding but their identity has no identity binding
 * on this cluster: the cluster's `managedClusters/identityBindings` (ARM) name
 * no binding of it. The identity's `aks-identity-binding` credential proves
 * nothing here: AKS creates one per identity, shared by all its bindings
 * (azure-aks-docs articles/aks/identity-bindings.md, "Create an identity
 * binding"), so an identity bound to another cluster has it too. The id is
 * older than the ARM read (it was judged from the credential): ids are
 * stable, so it keeps its name. A binding that exists but is not provisioned
 * is binding.not-ready's; one whose credential was deleted,
 * binding.credential-deleted's. Silent when the bindings could not be read.
 */
export const bindingCredentialMissing = defineCheck({
  id: "binding.credential-missing",
  reads: ["serviceaccounts", "pods", "workloads", "principals", "federated-credentials", "identity-bindings"],
  title: "Pods opt in to identity binding but their identity has no identity binding on this cluster",
  severityRule: "high",
  risk: "The webhook sends these pods' tokens through this cluster's identity binding proxy, which serves only the identities bound to this cluster: without an identity binding of the identity here the workload gets no Azure token, even when the identity is bound to other clusters (and so has its aks-identity-binding credential).",
  remediation: "Create an identity binding for the identity on this cluster (az aks identity-binding create), or remove the use-identity-binding annotation and federate the service account the default way.",
  docsUrl: DOCS.identityBindings,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    for (const account of optedInServiceAccounts(view, snapshot, facts)) {
      const { namespace, name, principal } = account;
      if (clusterBinding(snapshot, principal).state !== "missing") continue;
      findings.push(
        report({
          severity: "high",
          resource: objectResource(cluster, "ServiceAccount", namespace, name, principal),
          evidence: evidence({
            ...optedInEvidence(account),
            identityKind: principal.kind,
            identityBindingsOnCluster: bindingNames(snapshot),
            // Present: the identity is bound to some other cluster, which is no binding here.
            aksIdentityBindingCredential: identityBindingCredential(principal) === undefined ? "absent" : "present",
          }),
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
    text: `Create an identity binding mapping ${principal.displayName} to this cluster (AKS creates or reuses the identity's aks-identity-binding credential), authorize the service account with the ClusterRole the doc shows, then restart the workloads.`,
    command: identityBindingCommand(cluster, "create", `${principal.identity.name}-ib`, principal.identity.id),
  };
}
