import { annotateServiceAccount } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { CLIENT_ID_ANNOTATION, isGuid } from "../workload-identity.js";
import { CLIENT_ID_PLACEHOLDER } from "../placeholders.js";

export const saClientIdMalformed = defineCheck({
  id: "sa.client-id-malformed",
  reads: ["serviceaccounts"],
  title: "Service account's client id is not a GUID",
  severityRule: "high",
  risk: "The webhook copies the annotation into AZURE_CLIENT_ID as it is; Entra rejects anything that is not a client id, so the workload never gets a token.",
  remediation: "Set azure.workload.identity/client-id to the identity's client id (a GUID, no quotes, braces or spaces), then restart the workloads.",
  docsUrl: DOCS.labelsAndAnnotations,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(_view, snapshot, report) {
    return snapshot.serviceAccounts.flatMap((sa) => {
      const value = sa.annotations[CLIENT_ID_ANNOTATION];
      if (value === undefined || value.trim() === "" || isGuid(value)) return [];
      const trimmed = value.trim().replace(/^[{"']+|[}"']+$/g, "");
      return [
        report({
          severity: "high",
          resource: objectResource(snapshot.cluster, "ServiceAccount", sa.namespace, sa.name),
          evidence: evidence({ annotation: CLIENT_ID_ANNOTATION, found: value }),
          remediation: {
            text: "Replace the annotation with the identity's client id, then restart the workloads that run as this service account.",
            command: annotateServiceAccount(snapshot.cluster, sa.namespace, sa.name, CLIENT_ID_ANNOTATION, isGuid(trimmed) ? trimmed : CLIENT_ID_PLACEHOLDER),
          },
        }),
      ];
    });
  },
});
