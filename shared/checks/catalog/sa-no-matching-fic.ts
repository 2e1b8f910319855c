import { exactSubject } from "../../inventory/credential-trust.js";
import { createCredential, credentialNameFor } from "../commands.js";
import { FLEXIBLE_ISSUERS } from "../flexible-credentials.js";
import { serviceAccountTrusts } from "../credential-match.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { FEDERATED_CREDENTIAL_LIMIT } from "../workload-identity.js";
import { seenTokenAudiences } from "../aks-clouds.js";
import { clusterFacts } from "../cluster-facts.js";
import { identityBindingCredential, serviceAccountModes } from "../identity-binding.js";

export const saNoMatchingFic = defineCheck({
  id: "sa.no-matching-fic",
  reads: ["serviceaccounts", "pods", "workloads", "principals", "federated-credentials"],
  title: "Service account has no federated credential for this cluster",
  severityRule: "high",
  risk: "Token exchange fails with AADSTS70021 (no matching federated identity record): the identity does not trust this cluster's issuer for this service account.",
  remediation: "Create a federated credential on the identity with the cluster's exact issuer URL and subject system:serviceaccount:<namespace>:<name>.",
  docsUrl: DOCS.federatedCredential,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const { cluster } = snapshot;
    const modes = serviceAccountModes(snapshot, clusterFacts(snapshot));
    // On a sovereign-cloud cluster the audience its pods' tokens carry (aks-clouds.ts); else the default.
    const seenAudience = seenTokenAudiences(snapshot)[0];
    return serviceAccountTrusts(view, snapshot).flatMap(({ serviceAccount: sa, principal, issuer, subject, match }) => {
      if (match.kind !== "none" && match.kind !== "flexible-unsupported") return [];
      // Identity bindings need no credential for the cluster's issuer: pods that all opt in are the
      // binding.* checks' to judge, and labelled pods that do not, beside an identity-binding
      // credential, are binding.annotation-missing (one problem, one finding).
      const users = modes.get(`${sa.namespace}/${sa.name}`);
      if (users !== undefined && users.binding.length > 0 && users.plain.length === 0) return [];
      if (users !== undefined && users.plain.length > 0 && identityBindingCredential(principal) !== undefined) return [];
      const atLimit = principal.credentials.length >= FEDERATED_CREDENTIAL_LIMIT;
      const limitText = atLimit ? `The identity already holds ${principal.credentials.length} of ${FEDERATED_CREDENTIAL_LIMIT} credentials: remove an unused one first.` : "";
      const command = createCredential(principal, { name: credentialNameFor(cluster, sa.namespace, sa.name), issuer, subject, ...(seenAudience !== undefined && { audience: seenAudience }) });
      const base = { expectedIssuer: issuer, expectedSubject: subject, identity: principal.displayName, identityKind: principal.kind, credentials: principal.credentials.length };
      if (match.kind === "flexible-unsupported") {
        const { credential, wouldMatch } = match;
        const expression = credential.trust.kind === "flexible" ? credential.trust.expression?.value : undefined;
        return [
          report({
            severity: "high",
            title: "Service account relies on a flexible federated credential, which Entra does not honour for AKS issuers",
            resource: objectResource(cluster, "ServiceAccount", sa.namespace, sa.name, principal),
            evidence: evidence({
              ...base,
              flexibleCredential: credential.name,
              claimsMatchingExpression: expression ?? "(not returned by the API)",
              expressionWouldMatch: wouldMatch,
              flexibleIssuersSupported: FLEXIBLE_ISSUERS.map((f) => f.platform).join(", "),
            }),
            remediation: {
              text: [
                `Credential ${credential.name} has this cluster's issuer but a claims-matching expression instead of a subject.`,
                `Entra evaluates such expressions only for tokens from ${FLEXIBLE_ISSUERS.map((f) => f.platform).join(", ")}, so this service account gets no token (AADSTS70021).`,
                "Add an exact credential for this service account (keep or delete the flexible one as you wish).",
                limitText,
                "Then restart the workloads (new credentials can take a few minutes to propagate).",
              ]
                .filter((t) => t !== "")
                .join(" "),
              command,
            },
          }),
        ];
      }
      const nearest = match.nearest;
      const text = [
        nearest?.otherCluster
          ? `Credential ${nearest.credential.name} trusts cluster ${nearest.otherCluster.name} for this subject; keep it and add a separate one for this cluster.`
          : nearest
            ? `Credential ${nearest.credential.name} is close but does not match: its ${nearest.differs}. Entra compares issuer and subject exactly.`
            : `${principal.displayName} has no credential for this cluster's issuer and this subject.`,
        limitText,
      ]
        .filter((t) => t !== "")
        .join(" ");
      return [
        report({
          severity: "high",
          resource: objectResource(cluster, "ServiceAccount", sa.namespace, sa.name, principal),
          evidence: evidence({
            ...base,
            nearestCredential: nearest?.credential.name,
            nearestIssuer: nearest?.credential.issuer,
            nearestSubject: nearest !== undefined ? exactSubject(nearest.credential) : undefined,
            differs: nearest?.differs,
          }),
          remediation: {
            text: `${text} Then restart the workloads (new credentials can take a few minutes to propagate).`,
            command,
          },
        }),
      ];
    });
  },
});
