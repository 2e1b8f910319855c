import type { ClusterSnapshot, ManagedIdentityGrant, RbacSubject } from "../../cluster/model.js";
import type { Finding } from "../../findings/index.js";
import { clusterFacts } from "../cluster-facts.js";
import { kubectl } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { IDENTITY_BINDING_RBAC_GROUP, USE_MANAGED_IDENTITY_VERB, clusterBinding, identityBindingCredential, optedInEvidence, optedInServiceAccounts } from "../identity-binding.js";
import type { WorkloadPrincipal } from "../fleet-view.js";
import { DOCS, MCSB } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";

/**
 * Pods opt in to identity binding, their identity has a working binding on
 * this cluster, but no
 * ClusterRoleBinding lets their service account `use-managed-identity` on the
 * identity's client id: the doc's ClusterRole (verbs ["use-managed-identity"],
 * apiGroups ["cid.wi.aks.azure.com"], resources [<client id>]) bound to the
 * service account is what authorizes it (azure-aks-docs
 * articles/aks/identity-bindings.md, "Authorize namespaces and service
 * accounts"). Subjects match as Kubernetes RBAC matches them: the service
 * account itself, its user name system:serviceaccount:<ns>:<name>, or the
 * groups system:serviceaccounts, system:serviceaccounts:<ns> and
 * system:authenticated. Only ClusterRoleBindings count, as in the doc.
 */
export const bindingRoleMissing = defineCheck({
  id: "binding.role-missing",
  reads: ["serviceaccounts", "pods", "workloads", "clusterroles", "clusterrolebindings", "principals", "federated-credentials"],
  title: "Pods opt in to identity binding but their service account is not allowed to use the identity",
  severityRule: "high",
  risk: "AKS checks that the pod's service account may use-managed-identity on the identity's client id before its token proxy exchanges the token; without a ClusterRoleBinding that allows it the workload gets no Azure token.",
  remediation: "Create the ClusterRole allowing use-managed-identity on the identity's client id (API group cid.wi.aks.azure.com) and bind it to the service account with a ClusterRoleBinding.",
  docsUrl: DOCS.identityBindings,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const grants = snapshot.managedIdentityGrants;
    // Not read (the lists failed: coverage says so), so nothing is known to be missing.
    if (grants === undefined) return [];
    const facts = clusterFacts(snapshot);
    const { cluster } = snapshot;
    const findings: Finding[] = [];
    for (const account of optedInServiceAccounts(view, snapshot, facts)) {
      const { key, namespace, name, clientId, principal } = account;
      if (!bindingWorks(snapshot, principal)) continue;
      if (grants.some((grant) => allows(grant, clientId) && grant.subjects.some((subject) => names(subject, namespace, name)))) continue;
      const role = grants.find((grant) => allows(grant, clientId))?.role;
      findings.push(
        report({
          severity: "high",
          resource: objectResource(cluster, "ServiceAccount", namespace, name, principal),
          evidence: evidence({
            ...optedInEvidence(account),
            clientId,
            rolesAllowingIdentity: [...new Set(grants.filter((g) => allows(g, clientId)).map((g) => g.role))].join(", ") || "none",
          }),
          remediation:
            role === undefined
              ? {
                  text: `Create a ClusterRole with the rule verbs ["${USE_MANAGED_IDENTITY_VERB}"], apiGroups ["${IDENTITY_BINDING_RBAC_GROUP}"], resources ["${clientId}"] and a ClusterRoleBinding of it to the service account ${key}, as the identity bindings article shows.`,
                }
              : {
                  text: `Bind the ClusterRole ${role}, which allows ${USE_MANAGED_IDENTITY_VERB} on this identity, to the service account ${key}.`,
                  command: kubectl(cluster, `create clusterrolebinding ${q(bindingName(role, namespace, name))} --clusterrole ${q(role)} --serviceaccount ${q(`${namespace}:${name}`)}`),
                },
        }),
      );
    }
    return findings;
  },
});

/**
 * Whether the binding itself is in order, so that the role is what is left to
 * fix: binding.credential-missing, binding.not-ready and
 * binding.credential-deleted speak first otherwise. When the bindings could
 * not be read, the identity's aks-identity-binding credential stands in for
 * "some binding exists" (the grants were read: the role can still be judged).
 */
function bindingWorks(snapshot: ClusterSnapshot, principal: WorkloadPrincipal): boolean {
  const bound = clusterBinding(snapshot, principal);
  return bound.state === "working" || (bound.state === "unknown" && identityBindingCredential(principal) !== undefined);
}

function allows(grant: ManagedIdentityGrant, clientId: string): boolean {
  return grant.clientIds.includes(clientId) || grant.clientIds.includes("*");
}

/** Whether a binding subject names this service account, as Kubernetes RBAC's subject matching does. */
function names(subject: RbacSubject, namespace: string, name: string): boolean {
  switch (subject.kind) {
    case "ServiceAccount":
      return subject.name === name && subject.namespace === namespace;
    case "User":
      return subject.name === `system:serviceaccount:${namespace}:${name}`;
    case "Group":
      return subject.name === "system:serviceaccounts" || subject.name === `system:serviceaccounts:${namespace}` || subject.name === "system:authenticated";
    default:
      return false;
  }
}

/** A ClusterRoleBinding name (at most 253 characters) saying what it binds. */
function bindingName(role: string, namespace: string, name: string): string {
  return `${role}-${namespace}-${name}`.slice(0, 253);
}
