import { principalResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";
import { usedOn } from "../usage.js";
import { PRIVILEGED_ROLES, isBroadScope, roleDefinitionGuid } from "../workload-identity.js";

export const identityOverPrivileged = defineCheck({
  id: "identity.over-privileged",
  reads: ["role-assignments", "workload-usage", "tenant-inventory"],
  title: "Identity used by workloads holds a privileged role at a broad scope",
  severityRule: "high",
  risk: "Anyone who can run a pod as the service account (or create it, see fic.dangling) controls the whole subscription or management group.",
  remediation: "Replace Owner, Contributor or User Access Administrator at subscription or management-group scope with the narrowest role on the resources the workload uses.",
  docsUrl: DOCS.rbacBestPractices,
  controls: [MCSB.leastPrivilege],
  evaluateFleet(view, usage, report) {
    return view.principals.flatMap((principal) => {
      const clusters = usedOn(usage, principal.clientId);
      if (clusters.length === 0 || principal.principalId === undefined) return [];
      return (view.roleAssignmentsByPrincipal.get(principal.principalId.toLowerCase()) ?? []).flatMap((assignment) => {
        const role = PRIVILEGED_ROLES[roleDefinitionGuid(assignment.roleDefinitionId)];
        if (role === undefined || !isBroadScope(assignment.scope)) return [];
        return [
          report({
            severity: "high",
            title: `Identity used by workloads is ${role} at ${assignment.scope}`,
            resource: { ...principalResource(principal), kind: "RoleAssignment", name: `${role} at ${assignment.scope}` },
            evidence: evidence({ role, scope: assignment.scope, roleAssignmentId: assignment.id, usedOnClusters: clusters.length }),
            remediation: {
              text: "Grant a narrower role on the resources the workload uses first, then delete this assignment.",
              command: `az role assignment delete --ids ${q(assignment.id)}`,
            },
          }),
        ];
      });
    });
  },
});
