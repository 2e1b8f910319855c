import { clusterFacts } from "../cluster-facts.js";
import { deleteCredential } from "../commands.js";
import { objectResource, defineCheck, evidence } from "../define.js";
import { DOCS, MCSB } from "../links.js";
import { parseServiceAccountSubject } from "../workload-identity.js";

export const ficDangling = defineCheck({
  id: "fic.dangling",
  reads: ["namespaces", "serviceaccounts", "federated-credentials"],
  title: "Federated credential trusts a service account that does not exist",
  severityRule: "high",
  risk: "Whoever can create that service account (or namespace) in the cluster inherits the identity's Azure rights.",
  remediation: "Delete the credential if the workload is gone, or create the service account it was meant for.",
  docsUrl: DOCS.federationConsiderations,
  controls: [MCSB.applicationIdentities, MCSB.leastPrivilege],
  // Per cluster: a credential trusts exactly one issuer, so it is judged once, against the one cluster that can present it.
  evaluateCluster(view, snapshot, report) {
    const { cluster } = snapshot;
    if (cluster.oidcIssuerUrl === undefined) return [];
    const facts = clusterFacts(snapshot);
    const namespaces = new Set(snapshot.namespaces.map((n) => n.name));
    return (view.credentialsByIssuer.get(cluster.oidcIssuerUrl) ?? []).flatMap(({ principal, credential }) => {
      // A flexible credential names no one service account (and admits none on AKS today): nothing can dangle.
      if (credential.trust.kind !== "exact") return [];
      const subject = parseServiceAccountSubject(credential.trust.subject);
      if (subject === undefined || !facts.sees("serviceaccounts", subject.namespace)) return [];
      if (facts.serviceAccount(subject.namespace, subject.name) !== undefined) return [];
      return [
        report({
          severity: "high",
          resource: objectResource(cluster, "FederatedCredential", subject.namespace, credential.name, principal, credential.name),
          evidence: evidence({
            subject: credential.trust.subject,
            issuer: credential.issuer,
            identity: principal.displayName,
            missingServiceAccount: `${subject.namespace}/${subject.name}`,
            namespaceExists: facts.sees("namespaces") ? namespaces.has(subject.namespace) : undefined,
          }),
          remediation: {
            text: `Nothing on ${cluster.name} runs as ${subject.namespace}/${subject.name}: delete the credential unless that service account is about to be created on purpose.`,
            command: deleteCredential(principal, credential),
          },
        }),
      ];
    });
  },
});
