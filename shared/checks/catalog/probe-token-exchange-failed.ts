import type { ClusterSnapshot, ProbeResult } from "../../cluster/model.js";
import type { CheckId } from "../../findings/model.js";
import { matchCredential } from "../credential-match.js";
import { objectResource, defineCheck, evidence, reportFor, type Check } from "../define.js";
import type { FleetView } from "../fleet-view.js";
import { DOCS, MCSB } from "../links.js";
import { AADSTS_CODES, isGuid, serviceAccountSubject } from "../workload-identity.js";
import { acceptedTokenAudiences, seenTokenAudiences } from "../aks-clouds.js";
import { clusterOidcIssuerDisabled } from "./cluster-oidc-issuer-disabled.js";
import { ficIssuerMismatch } from "./fic-issuer-mismatch.js";
import { bindingAnnotationMissing } from "./binding-annotation-missing.js";
import { saClientIdMalformed } from "./sa-client-id-malformed.js";
import { saClientIdUnknown } from "./sa-client-id-unknown.js";
import { saNoMatchingFic } from "./sa-no-matching-fic.js";
import { saTenantIdMismatch } from "./sa-tenant-id-mismatch.js";

/**
 * The static checks that can explain each code Entra answers with
 * (../reference/WORKLOAD-IDENTITY-NOTES.md), most usual first. AADSTS700211
 * (issuer) is also what a credential of another cluster for the same subject
 * gets: sa.no-matching-fic reports that one.
 */
const EXPLAINED_BY: Readonly<Record<string, readonly CheckId[]>> = {
  AADSTS70021: ["sa.no-matching-fic", "binding.annotation-missing"],
  AADSTS700211: ["fic.issuer-mismatch", "sa.no-matching-fic"],
  AADSTS700212: ["fic.audience-missing"],
  AADSTS700213: ["sa.no-matching-fic"],
  AADSTS700016: ["sa.client-id-unknown", "sa.client-id-malformed", "sa.tenant-id-mismatch"],
  AADSTS90002: ["sa.tenant-id-mismatch"],
  AADSTS90061: ["cluster.oidc-issuer-disabled"],
};

/** Static checks that predict, per service account, that its token exchange fails. */
const PREDICTING_CHECKS: readonly Check[] = [saClientIdMalformed, saClientIdUnknown, saTenantIdMismatch, saNoMatchingFic, ficIssuerMismatch, bindingAnnotationMissing];

export const probeTokenExchangeFailed = defineCheck({
  id: "probe.token-exchange-failed",
  reads: ["probe", "serviceaccounts", "principals", "federated-credentials"],
  title: "Live token exchange fails",
  severityRule: "high when the exchange fails; info when it succeeds although a static check predicts failure (the finding says they disagree)",
  risk: "Proven, not predicted: Entra refuses this service account's token today, so every workload running as it fails to reach Azure.",
  remediation: "Fix what Entra's AADSTS code points at (the finding names the check that explains it), then re-run the probe.",
  docsUrl: DOCS.troubleshooting,
  controls: [MCSB.applicationIdentities],
  evaluateCluster(view, snapshot, report) {
    const results = snapshot.probeResults;
    if (results === undefined || results.length === 0) return [];
    const predictions = staticPredictions(view, snapshot);
    return results.flatMap((result) => {
      if (result.outcome === "error") return [];
      const predicted = [...(predictions.get(`${result.namespace}/${result.serviceAccount}`) ?? [])].sort();
      if (result.outcome === "ok" && predicted.length === 0) return [];
      const principal = isGuid(result.clientId) ? view.principalByClientId.get(result.clientId.toLowerCase()) : undefined;
      const resource = objectResource(snapshot.cluster, "ServiceAccount", result.namespace, result.serviceAccount, principal);
      const common = {
        clientId: result.clientId,
        tenantId: result.tenantId,
        expirationSeconds: result.expirationSeconds,
        staticChecks: predicted.length > 0 ? predicted.join(", ") : "none",
        agreesWithStaticChecks: (result.outcome === "failed") === predicted.length > 0,
      };
      if (result.outcome === "ok") {
        return [
          report({
            severity: "info",
            title: `Live token exchange succeeds although ${predicted.join(", ")} predicts it fails`,
            resource,
            evidence: evidence({ outcome: "ok", ...common }),
            remediation: {
              text: `Entra issued a token, so the scan's view of this identity is out of date or incomplete (a credential changed since the inventory was read, or one the scanner cannot see). Re-scan before acting on ${predicted.join(", ")}.`,
            },
          }),
        ];
      }
      return [failedFinding(result, predicted, common, resource, report)];
    });
  },
});

function failedFinding(
  result: ProbeResult,
  predicted: readonly string[],
  common: Record<string, string | number | boolean>,
  resource: ReturnType<typeof objectResource>,
  report: Parameters<NonNullable<Check["evaluateCluster"]>>[2],
) {
  const code = result.aadstsCode;
  const known = code !== undefined ? AADSTS_CODES[code] : undefined;
  const candidates = code !== undefined ? (EXPLAINED_BY[code] ?? []) : [];
  const explainedBy = candidates.find((id) => predicted.includes(id)) ?? candidates[0];
  const agreement =
    predicted.length === 0
      ? "No static check predicted this failure: the scan's view of the identity disagrees with Entra (a credential changed minutes ago, an identity outside the scanned subscriptions, or a cause the checks do not model). Trust Entra's answer."
      : explainedBy !== undefined && !predicted.includes(explainedBy)
        ? `The static checks predicted the failure (${predicted.join(", ")}), though Entra's code points at ${explainedBy}.`
        : `The static checks predicted it: see ${predicted.join(", ")} on this service account for the exact fix.`;
  return report({
    severity: "high",
    title: code !== undefined ? `Live token exchange fails with ${code}${known ? ` (${known.meaning})` : ""}` : undefined,
    resource,
    evidence: evidence({
      outcome: "failed",
      aadstsCode: code,
      meaning: known?.meaning,
      explainedBy,
      entraMessage: result.message !== undefined ? truncate(result.message) : undefined,
      ...common,
    }),
    remediation: { text: [known?.fix ?? "Read Entra's message in the evidence.", agreement].join(" ") },
  });
}

/** Which static checks predict a failed exchange, by "<namespace>/<service account>". */
function staticPredictions(view: FleetView, snapshot: ClusterSnapshot): Map<string, Set<string>> {
  const predictions = new Map<string, Set<string>>();
  const add = (namespace: string, name: string, checkId: string) => {
    const key = `${namespace}/${name}`;
    predictions.set(key, (predictions.get(key) ?? new Set()).add(checkId));
  };
  for (const check of PREDICTING_CHECKS) {
    for (const finding of check.evaluateCluster?.(view, snapshot, reportFor(check)) ?? []) {
      if (finding.resource.kind === "ServiceAccount") add(finding.resource.namespace ?? "", finding.resource.name, finding.checkId);
      // binding.annotation-missing is reported on the workload; its evidence names the service account.
      else if (typeof finding.evidence.serviceAccount === "string") {
        const [namespace = "", name = ""] = finding.evidence.serviceAccount.split("/");
        add(namespace, name, finding.checkId);
      }
    }
  }
  // Without an OIDC issuer no service account token of this cluster can be verified.
  const issuerOff = (clusterOidcIssuerDisabled.evaluateCluster?.(view, snapshot, reportFor(clusterOidcIssuerDisabled)) ?? []).length > 0;
  const issuer = snapshot.cluster.oidcIssuerUrl;
  const seen = seenTokenAudiences(snapshot);
  const accepted = seen.length > 0 ? seen : acceptedTokenAudiences(issuer);
  for (const result of snapshot.probeResults ?? []) {
    if (issuerOff) add(result.namespace, result.serviceAccount, clusterOidcIssuerDisabled.id);
    // The one prediction that lives on the credential (fic.audience-missing is a fleet check): the matching credential has the wrong audience.
    const principal = isGuid(result.clientId) ? view.principalByClientId.get(result.clientId.toLowerCase()) : undefined;
    if (principal === undefined || issuer === undefined) continue;
    const match = matchCredential(view, snapshot.cluster, issuer, principal, serviceAccountSubject(result.namespace, result.serviceAccount));
    if (match.kind === "exact" && !match.credential.audiences.some((audience) => accepted.includes(audience))) add(result.namespace, result.serviceAccount, "fic.audience-missing");
  }
  return predictions;
}

function truncate(message: string): string {
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}
