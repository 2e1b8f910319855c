import { updateCredential } from "../commands.js";
import { serviceAccountTrusts } from "../credential-match.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";

export const ficIssuerMismatch = defineCheck({
  id: "fic.issuer-mismatch",
  reads: ["serviceaccounts", "pods", "workloads", "principals", "federated-credentials"],
  title: "Federated credential's issuer does not match the cluster's",
  severityRule: "high",
  risk: "Entra compares issuers exactly: a missing trailing slash, different case or a re-created cluster's old issuer gives AADSTS700211/AADSTS70021 and the workload gets no token.",
  remediation: "Set the credential's issuer to the cluster's OIDC issuer URL exactly as `az aks show --query oidcIssuerProfile.issuerUrl` prints it.",
  docsUrl: DOCS.federationConsiderations,
  controls: [MCSB.applicationIdentities],
  // A re-created cluster's old issuer matches no cluster of the fleet: this finding already says whose it was.
  supersedes: ["fic.unknown-issuer"],
  evaluateCluster(view, snapshot, report) {
    const { cluster } = snapshot;
    return serviceAccountTrusts(view, snapshot).flatMap(({ serviceAccount: sa, principal, issuer, subject, match }) => {
      if (match.kind !== "issuer-mismatch") return [];
      return match.candidates.map(({ credential, difference }) =>
        report({
          severity: "high",
          title:
            difference === "different issuer"
              ? "Federated credential trusts an issuer that is no longer this cluster's"
              : `Federated credential's issuer differs from the cluster's by ${difference}`,
          resource: objectResource(cluster, "ServiceAccount", sa.namespace, sa.name, principal, credential.name),
          evidence: evidence({ expectedIssuer: issuer, foundIssuer: credential.issuer, differs: difference, subject, identity: principal.displayName }),
          remediation: {
            text: `Update credential ${credential.name} to the cluster's exact issuer; the change can take a few minutes to propagate.`,
            command: updateCredential(principal, { name: credential.name, issuer, subject }, credential),
          },
        }),
      );
    });
  },
});
