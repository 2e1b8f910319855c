import { annotateServiceAccount } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { lookupFailed } from "../fleet-view.js";
import { DOCS, MCSB } from "../links.js";
import { CLIENT_ID_PLACEHOLDER } from "../placeholders.js";
import { CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION, isGuid } from "../workload-identity.js";

export const saClientIdUnknown = defineCheck({
  id: "sa.client-id-unknown",
  reads: ["serviceaccounts", "principals"],
  gradedBy: ["tenant-inventory"],
  title: "Service account names an identity that does not exist in the tenant",
  severityRule: "high; medium when the scan could not see every subscription (silent when the Microsoft Graph look-up of the client id failed)",
  risk: "Token exchange fails with AADSTS700016 (application not found): the client id is mistyped, belongs to a deleted identity, or to another tenant.",
  remediation: "Point azure.workload.identity/client-id at an existing user-assigned identity or app registration of the tenant, then restart the workloads.",
  docsUrl: DOCS.troubleshooting,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const { inventory } = view;
    const { cluster } = snapshot;
    const sawEverything = inventory.complete && view.applicationsKnown;
    return snapshot.serviceAccounts.flatMap((sa) => {
      const clientId = sa.annotations[CLIENT_ID_ANNOTATION];
      if (clientId === undefined || !isGuid(clientId) || view.principalByClientId.has(clientId.toLowerCase())) return [];
      // A failed Microsoft Graph look-up is a gap, not an absence: the app registration may well exist.
      if (lookupFailed(view, clientId)) return [];
      // An identity of another tenant is out of the scan's sight, not unknown.
      const tenant = sa.annotations[TENANT_ID_ANNOTATION];
      if (tenant !== undefined && tenant.trim() !== "" && tenant.toLowerCase() !== inventory.tenantId.toLowerCase()) return [];
      return [
        report({
          severity: sawEverything ? "high" : "medium",
          resource: { ...objectResource(cluster, "ServiceAccount", sa.namespace, sa.name), identityClientId: clientId },
          evidence: evidence({
            clientId,
            tenantId: inventory.tenantId,
            subscriptionsScanned: inventory.subscriptions.length,
            inventoryComplete: inventory.complete,
            applicationsListed: view.applicationsKnown,
          }),
          remediation: {
            text: sawEverything
              ? "No user-assigned identity or app registration in the tenant has this client id: fix the annotation, then restart the workloads."
              : "No identity in the subscriptions the scan could read has this client id; if it lives elsewhere, give the scanner read access there, otherwise fix the annotation.",
            command: annotateServiceAccount(cluster, sa.namespace, sa.name, CLIENT_ID_ANNOTATION, CLIENT_ID_PLACEHOLDER),
          },
        }),
      ];
    });
  },
});
