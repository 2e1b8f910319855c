import { listCredentials } from "../commands.js";
import { principalResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { FEDERATED_CREDENTIAL_LIMIT, FEDERATED_CREDENTIAL_WARN_AT } from "../workload-identity.js";

export const ficLimitNear = defineCheck({
  id: "fic.limit-near",
  reads: ["federated-credentials"],
  title: "Identity is close to its limit of 20 federated credentials",
  severityRule: "low",
  risk: "At 20 credentials Azure refuses the next one: the next cluster or service account that needs this identity cannot be federated.",
  remediation: "Remove credentials for deleted clusters and service accounts, or give new workloads an identity of their own.",
  docsUrl: DOCS.federatedCredential,
  controls: [MCSB.applicationIdentities],
  evaluateFleet(view, _usage, report) {
    return view.principals.flatMap((principal) => {
      const count = principal.credentials.length;
      if (!principal.credentialsKnown || count < FEDERATED_CREDENTIAL_WARN_AT) return [];
      return [
        report({
          severity: "low",
          title: count >= FEDERATED_CREDENTIAL_LIMIT ? "Identity has reached its limit of 20 federated credentials" : undefined,
          resource: principalResource(principal),
          evidence: evidence({ credentials: count, limit: FEDERATED_CREDENTIAL_LIMIT }),
          remediation: {
            text: "List the credentials, delete those for clusters or service accounts that no longer exist (see fic.dangling and fic.unknown-issuer).",
            command: listCredentials(principal),
          },
        }),
      ];
    });
  },
});
