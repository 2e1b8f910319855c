/**
 * Whether an identity trusts one service account of one cluster, the way Entra
 * decides it (issuer and subject compared exactly), and if not, the nearest
 * thing it does trust, so the finding can say what differs.
 */
import type { AksCluster, FederatedCredential } from "../inventory/model.js";
import type { FleetView, WorkloadPrincipal } from "./fleet-view.js";
import type { ClusterSnapshot, ServiceAccountSummary } from "../cluster/model.js";
import { CLIENT_ID_ANNOTATION, isGuid, issuerDifference, looseIssuerKey, serviceAccountSubject, type IssuerDifference } from "./workload-identity.js";

export type CredentialMatch =
  | { kind: "exact"; credential: FederatedCredential }
  /** Credentials for this subject whose issuer is no scanned cluster's: most likely meant for this cluster. */
  | { kind: "issuer-mismatch"; candidates: ReadonlyArray<{ credential: FederatedCredential; difference: IssuerDifference }> }
  | { kind: "none"; nearest?: NearMiss };

export interface NearMiss {
  credential: FederatedCredential;
  /** What differs, in words a person can act on. */
  differs: string;
  /** The cluster this credential belongs to, when its issuer is another scanned cluster's. */
  otherCluster?: AksCluster;
}

export function matchCredential(
  view: FleetView,
  cluster: AksCluster,
  issuer: string,
  principal: WorkloadPrincipal,
  subject: string,
): CredentialMatch {
  const exact = principal.credentials.find((c) => c.issuer === issuer && c.subject === subject);
  if (exact !== undefined) return { kind: "exact", credential: exact };

  const candidates = principal.credentials
    .filter((c) => c.subject === subject && !view.clusterByIssuer.has(c.issuer))
    .map((credential) => ({ credential, difference: issuerDifference(issuer, credential.issuer) }));
  if (candidates.length > 0) return { kind: "issuer-mismatch", candidates };

  const nearest = nearMiss(view, cluster, issuer, principal, subject);
  return nearest === undefined ? { kind: "none" } : { kind: "none", nearest };
}

function nearMiss(
  view: FleetView,
  cluster: AksCluster,
  issuer: string,
  principal: WorkloadPrincipal,
  subject: string,
): NearMiss | undefined {
  const looseIssuer = looseIssuerKey(issuer);
  const lowerSubject = subject.toLowerCase();
  for (const credential of principal.credentials) {
    const sameIssuerLoosely = looseIssuerKey(credential.issuer) === looseIssuer;
    const sameSubjectLoosely = credential.subject.toLowerCase() === lowerSubject;
    if (sameIssuerLoosely && sameSubjectLoosely) {
      const parts: string[] = [];
      const issuerDiff = issuerDifference(issuer, credential.issuer);
      if (issuerDiff !== "none") parts.push(`issuer differs by ${issuerDiff}`);
      if (credential.subject !== subject) parts.push("subject differs by case");
      return { credential, differs: parts.join(" and ") };
    }
  }
  for (const credential of principal.credentials) {
    if (credential.subject !== subject) continue;
    const other = view.clusterByIssuer.get(credential.issuer);
    if (other !== undefined && other.id.toLowerCase() !== cluster.id.toLowerCase()) {
      return { credential, differs: `issuer is cluster ${other.name}'s`, otherCluster: other };
    }
  }
  for (const credential of principal.credentials) {
    if (credential.issuer === issuer) return { credential, differs: `subject is ${credential.subject}` };
  }
  return undefined;
}

/**
 * The identity that already trusts this service account on this cluster, when
 * exactly one does: a service account missing its client id most likely means that one.
 */
export function principalTrusting(view: FleetView, cluster: AksCluster, subject: string): WorkloadPrincipal | undefined {
  if (cluster.oidcIssuerUrl === undefined) return undefined;
  const trusting = new Set(
    (view.credentialsByIssuer.get(cluster.oidcIssuerUrl) ?? []).filter((t) => t.credential.subject === subject).map((t) => t.principal),
  );
  return trusting.size === 1 ? [...trusting][0] : undefined;
}

export interface ServiceAccountTrust {
  serviceAccount: ServiceAccountSummary;
  principal: WorkloadPrincipal;
  issuer: string;
  subject: string;
  match: CredentialMatch;
}

/**
 * Every service account of the snapshot that names a known identity whose
 * credentials could be read, with how that identity trusts it. Accounts whose
 * client id is malformed or unknown are left to sa.client-id-*; unread
 * credentials prove nothing; without an issuer there is nothing to trust
 * (cluster.oidc-issuer-disabled says so).
 */
export function serviceAccountTrusts(view: FleetView, snapshot: ClusterSnapshot): ServiceAccountTrust[] {
  const { cluster } = snapshot;
  const issuer = cluster.oidcIssuerUrl;
  if (issuer === undefined || issuer === "") return [];
  return snapshot.serviceAccounts.flatMap((serviceAccount) => {
    const clientId = serviceAccount.annotations[CLIENT_ID_ANNOTATION];
    if (clientId === undefined || !isGuid(clientId)) return [];
    const principal = view.principalByClientId.get(clientId.toLowerCase());
    if (principal === undefined || !principal.credentialsKnown) return [];
    const subject = serviceAccountSubject(serviceAccount.namespace, serviceAccount.name);
    return [{ serviceAccount, principal, issuer, subject, match: matchCredential(view, cluster, issuer, principal, subject) }];
  });
}
