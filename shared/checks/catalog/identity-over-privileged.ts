import { principalResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";
import { usedOn } from "../usage.js";
import { conditionEffect } from "../role-conditions.js";
import { PRIVILEGED_ROLES, isBroadScope, roleDefinitionGuid } from "../workload-identity.js";

const PRIVILEGED_GUIDS = Object.keys(PRIVILEGED_ROLES);

export const identityOverPrivileged = defineCheck({
  id: "identity.over-privileged",
  reads: ["role-assignments", "workload-usage", "tenant-inventory"],
  title: "Identity used by workloads holds a privileged role at a broad scope",
  severityRule: "high; medium for User Access Administrator or RBAC Administrator whose condition lets it assign no privileged role",
  risk: "Anyone who can run a pod as the service account (or create it, see fic.dangling) controls the whole subscription or management group (assignments on a management group or \"/\" are inherited by every subscription below).",
  remediation: "Replace Owner, Contributor, User Access Administrator or Role Based Access Control Administrator at subscription, management-group or root scope with the narrowest role on the resources the workload uses.",
  docsUrl: DOCS.rbacBestPractices,
  controls: [MCSB.leastPrivilege],
  evaluateFleet(view, usage, report) {
    return view.principals.flatMap((principal) => {
      const clusters = usedOn(usage, principal.clientId);
      if (clusters.length === 0 || principal.principalId === undefined) return [];
      return (view.roleAssignmentsByPrincipal.get(principal.principalId.toLowerCase()) ?? []).flatMap((assignment) => {
        const role = PRIVILEGED_ROLES[roleDefinitionGuid(assignment.roleDefinitionId)];
        if (role === undefined || !isBroadScope(assignment.scope)) return [];
        // A delegation condition that keeps every privileged role out of reach leaves a lesser, still broad, grant.
        const effect = conditionEffect(roleDefinitionGuid(assignment.roleDefinitionId), assignment.condition, PRIVILEGED_GUIDS);
        const limited = effect.kind === "limits-delegation";
        return [
          report({
            severity: limited ? "medium" : "high",
            title: limited
              ? `Identity used by workloads is ${role} at ${assignment.scope}, limited by a condition to assigning non-privileged roles`
              : `Identity used by workloads is ${role} at ${assignment.scope}`,
            resource: { ...principalResource(principal), kind: "RoleAssignment", name: `${role} at ${assignment.scope}` },
            evidence: evidence({
              role,
              scope: assignment.scope,
              roleAssignmentId: assignment.id,
              usedOnClusters: clusters.length,
              ...(assignment.condition !== undefined && {
                condition: assignment.condition,
                conditionVersion: assignment.conditionVersion ?? "",
                conditionEffect: effect.kind === "does-not-limit" ? effect.reason : "limits delegation to non-privileged roles",
              }),
            }),
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
