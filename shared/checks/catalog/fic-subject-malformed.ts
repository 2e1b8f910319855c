import { trustsAksIssuer } from "../fleet-view.js";
import { updateCredential } from "../commands.js";
import { principalResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { parseServiceAccountSubject } from "../workload-identity.js";

export const ficSubjectMalformed = defineCheck({
  id: "fic.subject-malformed",
  reads: ["federated-credentials"],
  title: "Federated credential's subject can never match a service account",
  severityRule: "medium",
  risk: "Kubernetes names are lowercase DNS-1123 and the subject is compared exactly: a subject in another form matches no token, so the workload it was meant for fails with AADSTS700213.",
  remediation: "Set the subject to system:serviceaccount:<namespace>:<name> with the service account's exact, lowercase names.",
  docsUrl: DOCS.federatedCredential,
  controls: [MCSB.applicationIdentities],
  evaluateFleet(view, _usage, report) {
    return view.principals.flatMap((principal) =>
      principal.credentials.flatMap((credential) => {
        // A flexible credential has no subject by design (claimsMatchingExpression instead): never malformed for lacking one.
        if (credential.trust.kind !== "exact") return [];
        const { subject } = credential.trust;
        if (!trustsAksIssuer(view, credential.issuer) || parseServiceAccountSubject(subject) !== undefined) return [];
        const repaired = repairSubject(subject);
        return [
          report({
            severity: "medium",
            resource: principalResource(principal, credential.name),
            evidence: evidence({ subject, issuer: credential.issuer, suggestedSubject: repaired }),
            remediation: repaired
              ? {
                  text: `Kubernetes names are lowercase: did you mean ${repaired}?`,
                  command: updateCredential(principal, { name: credential.name, issuer: credential.issuer, subject: repaired }, credential),
                }
              : { text: "Rewrite the subject as system:serviceaccount:<namespace>:<name>, or delete the credential." },
          }),
        ];
      }),
    );
  },
});

/** A subject that becomes valid once trimmed and lower-cased, the usual mistake. */
function repairSubject(subject: string): string | undefined {
  const candidate = subject.trim().toLowerCase();
  return parseServiceAccountSubject(candidate) !== undefined ? candidate : undefined;
}
