import { annotateServiceAccount } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { tokenTenants } from "../fleet-view.js";
import { DOCS, MCSB } from "../links.js";
import { CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION, isGuid } from "../workload-identity.js";

export const saTenantIdMismatch = defineCheck({
  id: "sa.tenant-id-mismatch",
  reads: ["serviceaccounts", "principals"],
  title: "Service account's tenant id differs from its identity's tenant",
  severityRule: "high (silent for a multi-tenant app, which may be provisioned in the tenant named)",
  risk: "The pod asks the wrong tenant for a token; it fails with AADSTS700016 or AADSTS90002.",
  remediation: "Set azure.workload.identity/tenant-id to the identity's tenant (or remove it to use the webhook's), then restart the workloads.",
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const { cluster } = snapshot;
    return snapshot.serviceAccounts.flatMap((sa) => {
      const clientId = sa.annotations[CLIENT_ID_ANNOTATION];
      const tenantId = sa.annotations[TENANT_ID_ANNOTATION];
      if (clientId === undefined || tenantId === undefined || !isGuid(clientId)) return [];
      const principal = view.principalByClientId.get(clientId.toLowerCase());
      if (principal === undefined) return [];
      // A multi-tenant app gets tokens in every tenant it is provisioned in (the documented cross-tenant pattern):
      // the scan cannot see other tenants, so another tenant id is no finding (docs/checks.md).
      const accepted = tokenTenants(principal);
      if (accepted === "any" || accepted.tenants.some((t) => t.toLowerCase() === tenantId.toLowerCase())) return [];
      return [
        report({
          severity: "high",
          resource: objectResource(cluster, "ServiceAccount", sa.namespace, sa.name, principal),
          evidence: evidence({ annotatedTenantId: tenantId, identityTenantId: principal.tenantId, identity: principal.displayName }),
          remediation: {
            text: `Set the tenant id to ${principal.displayName}'s tenant, then restart the workloads that run as this service account.`,
            command: annotateServiceAccount(cluster, sa.namespace, sa.name, TENANT_ID_ANNOTATION, principal.tenantId),
          },
        }),
      ];
    });
  },
});
