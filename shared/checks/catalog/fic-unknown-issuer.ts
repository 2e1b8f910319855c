import { exactSubject } from "../../inventory/credential-trust.js";
import { deleteCredential } from "../commands.js";
import { principalResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { isAksIssuer, looseIssuerKey } from "../workload-identity.js";

export const ficUnknownIssuer = defineCheck({
  id: "fic.unknown-issuer",
  reads: ["federated-credentials"],
  gradedBy: ["tenant-inventory"],
  title: "Federated credential trusts an AKS issuer that matches no cluster in the fleet",
  severityRule: "medium; low when the scan could not see every subscription (the cluster may live in one it could not read)",
  risk: "A credential for a deleted or unscanned cluster is standing trust nobody reviews; if the issuer is ever served again, its tokens get the identity's rights.",
  remediation: "Delete the credential if its cluster is gone; otherwise include that cluster's subscription in the scan.",
  docsUrl: DOCS.federationConsiderations,
  controls: [MCSB.applicationIdentities],
  evaluateFleet(view, _usage, report) {
    const complete = view.inventory.complete;
    return view.principals.flatMap((principal) =>
      principal.credentials.flatMap((credential) => {
        // Near misses of a known issuer (slash, case) are fic.issuer-mismatch when a workload uses them.
        // The AKS-managed identity-binding credential has an AKS-looking issuer of its own, never a cluster's:
        // it is AKS's to keep or delete (binding.* checks judge the mode).
        if (credential.trust.kind === "identity-binding") return [];
        if (!isAksIssuer(credential.issuer) || view.clustersByLooseIssuer.has(looseIssuerKey(credential.issuer))) return [];
        return [
          report({
            severity: complete ? "medium" : "low",
            resource: principalResource(principal, credential.name),
            evidence: evidence({
              issuer: credential.issuer,
              subject: exactSubject(credential),
              claimsMatchingExpression: credential.trust.kind === "flexible" ? (credential.trust.expression?.value ?? "(not returned)") : undefined,
              clustersScanned: view.inventory.clusters.length, inventoryComplete: complete,
            }),
            remediation: {
              text: "No cluster the scan can see has this issuer (re-created clusters get a new one): delete the credential if its cluster is gone.",
              command: deleteCredential(principal, credential),
            },
          }),
        ];
      }),
    );
  },
});
