import { trustsAksIssuer } from "../fleet-view.js";
import { updateCredential } from "../commands.js";
import { principalResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { TOKEN_EXCHANGE_AUDIENCE } from "../workload-identity.js";

export const ficAudienceMissing = defineCheck({
  id: "fic.audience-missing",
  reads: ["federated-credentials"],
  title: "Federated credential lacks the api://AzureADTokenExchange audience",
  severityRule: "high",
  risk: "The webhook projects tokens for api://AzureADTokenExchange; a credential with another audience rejects them with AADSTS700212.",
  remediation: "Set the credential's audience to api://AzureADTokenExchange.",
  docsUrl: DOCS.federatedCredential,
  controls: [MCSB.applicationIdentities],
  evaluateFleet(view, _usage, report) {
    return view.principals.flatMap((principal) =>
      principal.credentials.flatMap((credential) => {
        // A flexible credential admits no AKS token whatever its audience (sa.no-matching-fic says so where it is relied on).
        if (credential.trust.kind !== "exact" || !trustsAksIssuer(view, credential.issuer) || credential.audiences.includes(TOKEN_EXCHANGE_AUDIENCE)) return [];
        const { subject } = credential.trust;
        return [
          report({
            severity: "high",
            resource: principalResource(principal, credential.name),
            evidence: evidence({ expectedAudience: TOKEN_EXCHANGE_AUDIENCE, foundAudiences: credential.audiences.join(", ") || "(none)", issuer: credential.issuer, subject }),
            remediation: {
              text: `Replace the audience with ${TOKEN_EXCHANGE_AUDIENCE} (a credential holds exactly one).`,
              command: updateCredential(principal, { name: credential.name, issuer: credential.issuer, subject }, credential),
            },
          }),
        ];
      }),
    );
  },
});
