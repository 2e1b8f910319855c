import { arg } from "../commands.js";
import { principalResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { shellQuote as q } from "../shell-quote.js";
import { usedOn } from "../usage.js";

export const identityNoRoleAssignments = defineCheck({
  id: "identity.no-role-assignments",
  reads: ["role-assignments", "workload-usage"],
  gradedBy: ["tenant-inventory"],
  title: "Identity used by workloads has no Azure role assignment",
  severityRule: "medium; low when the scan could not see every subscription (the assignment may be in one it could not read)",
  risk: "The workload gets a token but every Azure Resource Manager or data-plane call it makes is refused (403), or the identity is a leftover nobody needs.",
  remediation: "Grant the narrowest role the workload needs at the narrowest scope, or remove the identity from the service account if it needs none.",
  docsUrl: DOCS.rbacBestPractices,
  controls: [MCSB.leastPrivilege],
  evaluateFleet(view, usage, report) {
    if (!view.roleAssignmentsKnown) return [];
    const complete = view.inventory.complete;
    return view.principals.flatMap((principal) => {
      const clusters = usedOn(usage, principal.clientId);
      if (clusters.length === 0 || principal.principalId === undefined) return [];
      if ((view.roleAssignmentsByPrincipal.get(principal.principalId.toLowerCase()) ?? []).length > 0) return [];
      return [
        report({
          severity: complete ? "medium" : "low",
          resource: principalResource(principal),
          evidence: evidence({ principalId: principal.principalId, usedOnClusters: clusters.length, inventoryComplete: complete }),
          remediation: {
            text: "Assign the role the workload needs (for example Storage Blob Data Reader on one storage account) rather than a broad one.",
            command:
              `az role assignment create --assignee-object-id ${q(principal.principalId)} --assignee-principal-type ServicePrincipal ` +
              `--role ${arg({ variable: "ROLE", hint: "set ROLE to the role the workload needs" })} ` +
              `--scope ${arg({ variable: "SCOPE", hint: "set SCOPE to the resource id the workload uses" })}`,
          },
        }),
      ];
    });
  },
});
