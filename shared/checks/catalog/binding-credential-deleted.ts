import type { Finding } from "../../findings/index.js";
import { clusterFacts } from "../cluster-facts.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { IDENTITY_BINDING_CREDENTIAL_NAME, boundIdentityEvidence, identityBindingCommand, optedInByBinding } from "../identity-binding.js";
import { DOCS, MCSB } from "../links.js";

/**
 * The identity has a provisioned identity binding on this cluster, and pods
 * opt in to it, but the identity has no `aks-identity-binding` credential:
 * someone deleted what AKS manages ("Don't modify or delete it while identity
 * bindings are in use", azure-aks-docs articles/aks/identity-bindings.md).
 * Entra then refuses every token of the identity's bindings, on every cluster
 * bound to it. The fix is AKS's own: creating an identity binding "creates
 * (or reuses) the single FIC for that UAMI" (identity-bindings-concepts.md),
 * so the binding is deleted and created again; never a credential written by
 * hand, whose issuer and subject AKS owns. One finding per binding.
 */
export const bindingCredentialDeleted = defineCheck({
  id: "binding.credential-deleted",
  reads: ["serviceaccounts", "pods", "workloads", "principals", "federated-credentials", "identity-bindings"],
  title: "The identity binding exists but its identity's AKS-managed aks-identity-binding credential was deleted",
  severityRule: "high",
  risk: "AKS exchanges the pods' tokens through the identity's aks-identity-binding federated credential; without it Entra refuses the exchange and every workload using the identity through a binding, on every cluster bound to it, gets no Azure token.",
  remediation: "Recreate the identity binding (az aks identity-binding delete, then create with the same identity) so that AKS creates the credential again. Do not write the credential by hand: AKS manages it.",
  docsUrl: DOCS.identityBindings,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    for (const bound of optedInByBinding(view, snapshot, clusterFacts(snapshot), "credential-deleted")) {
      const { binding, principal } = bound;
      findings.push(
        report({
          severity: "high",
          resource: objectResource(cluster, "IdentityBinding", undefined, binding.name, principal),
          evidence: evidence({ ...boundIdentityEvidence(bound), missingCredential: IDENTITY_BINDING_CREDENTIAL_NAME }),
          remediation: {
            text: `Delete and recreate the identity binding ${binding.name} so that AKS creates ${principal.displayName}'s ${IDENTITY_BINDING_CREDENTIAL_NAME} credential again; the identity's bindings on other clusters work again with it. Do not create the credential by hand.`,
            command: [identityBindingCommand(cluster, "delete", binding.name), identityBindingCommand(cluster, "create", binding.name, binding.managedIdentityResourceId)].join("\n"),
          },
        }),
      );
    }
    return findings;
  },
});
