import type { Finding, Severity } from "../../findings/index.js";
import { clusterFacts } from "../cluster-facts.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { boundIdentityEvidence, identityBindingCommand, optedInByBinding } from "../identity-binding.js";
import { DOCS, MCSB } from "../links.js";

/** Operations under way: the binding may work once AKS finishes. */
const IN_PROGRESS = new Set(["creating", "updating"]);

/**
 * Pods opt in and their identity has a binding on this cluster, but its
 * provisioningState is not Succeeded (the states of the 2026-04-01 API:
 * Succeeded, Failed, Canceled, Creating, Updating, Deleting;
 * @azure/arm-containerservice KnownIdentityBindingProvisioningState). It is
 * not a working binding, and not a missing one either: the fix is to look at
 * the operation that left it so, not to create another. Info while AKS is
 * creating or updating it; medium otherwise (failed, canceled, being deleted).
 */
export const bindingNotReady = defineCheck({
  id: "binding.not-ready",
  // federated-credentials: the opted-in accounts judged are those whose identity's credentials were read (optedInServiceAccounts).
  reads: ["serviceaccounts", "pods", "workloads", "principals", "federated-credentials", "identity-bindings"],
  title: "Pods opt in to identity binding but their identity's binding on this cluster is not provisioned",
  severityRule: "medium; info while the binding is Creating or Updating",
  risk: "Until AKS reports the binding Succeeded, its token proxy may not serve the identity: the opted-in workloads may get no Azure token (a failed or canceled binding stays so until it is fixed; a deleting one goes away).",
  remediation: "Show the binding (az aks identity-binding show) and the activity log of its last operation; once the cause is fixed, create the binding again with the same identity.",
  docsUrl: DOCS.identityBindings,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    for (const bound of optedInByBinding(view, snapshot, clusterFacts(snapshot), "not-ready")) {
      const { binding, principal } = bound;
      const state = binding.provisioningState ?? "";
      const inProgress = IN_PROGRESS.has(state.toLowerCase());
      const severity: Severity = inProgress ? "info" : "medium";
      findings.push(
        report({
          severity,
          title: `The identity binding ${binding.name} of ${principal.displayName} is ${state}, not Succeeded`,
          resource: objectResource(cluster, "IdentityBinding", undefined, binding.name, principal),
          evidence: evidence(boundIdentityEvidence(bound)),
          remediation: inProgress
            ? { text: `AKS is still working on the binding (${state}); check it again once the operation ends.`, command: identityBindingCommand(cluster, "show", binding.name) }
            : {
                text: `The binding's last operation ended ${state}. Read why in the cluster's activity log, fix the cause (for instance the caller's permission to write the identity's federated credentials), then create the binding again with the same identity.`,
                command: [identityBindingCommand(cluster, "show", binding.name), identityBindingCommand(cluster, "create", binding.name, binding.managedIdentityResourceId)].join("\n"),
              },
        }),
      );
    }
    return findings;
  },
});
