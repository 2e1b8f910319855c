import { trustsAksIssuer } from "../fleet-view.js";
import { updateCredential } from "../commands.js";
import { principalResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { acceptedTokenAudiences } from "../aks-clouds.js";

export const ficAudienceMissing = defineCheck({
  id: "fic.audience-missing",
  reads: ["federated-credentials"],
  title: "Federated credential lacks the api://AzureADTokenExchange audience",
  severityRule: "high",
  risk: "The webhook projects tokens for api://AzureADTokenExchange; a credential with another audience rejects them with AADSTS700212. In Azure Government and 21Vianet the cloud's own token-exchange audience is accepted too (docs/checks.md, sovereign clouds).",
  remediation: "Set the credential's audience to api://AzureADTokenExchange.",
  docsUrl: DOCS.federatedCredential,
  controls: [MCSB.applicationIdentities],
  evaluateFleet(view, usage, report) {
    return view.principals.flatMap((principal) =>
      principal.credentials.flatMap((credential) => {
        // A flexible credential admits no AKS token whatever its audience (sa.no-matching-fic says so where it is relied on).
        if (credential.trust.kind !== "exact" || !trustsAksIssuer(view, credential.issuer)) return [];
        // What the cluster's own pods carry beats what its cloud allows (two audiences in the sovereign clouds).
        const clusterId = view.clusterByIssuer.get(credential.issuer)?.id;
        const seen = clusterId === undefined ? undefined : usage.projectedTokenAudiencesByClusterId.get(clusterId);
        const accepted = seen ?? acceptedTokenAudiences(credential.issuer);
        if (credential.audiences.some((audience) => accepted.includes(audience))) return [];
        const { subject } = credential.trust;
        const [written = "", other] = accepted;
        return [
          report({
            severity: "high",
            resource: principalResource(principal, credential.name),
            evidence: evidence({
              expectedAudience: accepted.join(" or "),
              foundAudiences: credential.audiences.join(", ") || "(none)",
              issuer: credential.issuer,
              subject,
              seenOnPods: seen !== undefined ? true : undefined,
            }),
            remediation: {
              text:
                other === undefined
                  ? `Replace the audience with ${written} (a credential holds exactly one).`
                  : `Replace the audience with the one the workload's projected token carries (a credential holds exactly one): ${written}, the webhook's default, unless the cluster's pods show ${other} (kubectl get pods -o jsonpath='{..serviceAccountToken.audience}'); AKS does not publish which one it projects in this cloud.`,
              command: updateCredential(principal, { name: credential.name, issuer: credential.issuer, subject, audience: written }, credential),
            },
          }),
        ];
      }),
    );
  },
});
