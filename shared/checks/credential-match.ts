/**
 * Whether an identity trusts one service account of one cluster, the way Entra
 * decides it, and if not, the nearest thing it does trust, so the finding can
 * say what differs.
 */
import type { AksCluster, FederatedCredential } from "../inventory/model.js";
import { exactSubject } from "../inventory/credential-trust.js";
import type { FleetView, WorkloadPrincipal } from "./fleet-view.js";
import type { ClusterSnapshot, ServiceAccountSummary } from "../cluster/model.js";
import { admitsFlexibly, evaluateExpression, type ExpressionVerdict } from "./flexible-credentials.js";
import { CLIENT_ID_ANNOTATION, isGuid, issuerDifference, looseIssuerKey, serviceAccountSubject, type IssuerDifference } from "./workload-identity.js";

/**
 * Whether Entra exchanges a token with this issuer and subject for this
 * credential (the audience aside): the issuer compared exactly, then an exact
 * credential's subject compared exactly (case-sensitive), a flexible one's
 * expression evaluated only where Entra supports flexible matching for the
 * issuer (flexible-credentials.ts). Every check that asks "does this
 * credential admit that service account" asks here.
 */
export function trusts(credential: FederatedCredential, issuer: string, subject: string): boolean {
  if (credential.issuer !== issuer) return false;
  const { trust } = credential;
  switch (trust.kind) {
    case "exact":
      return trust.subject === subject;
    case "flexible":
      return admitsFlexibly(issuer, trust.expression, subject) === "match";
    case "identity-binding":
      // Its issuer is the binding's, never a cluster's: pods that opt in reach it through AKS's
      // token proxy (identity-binding.ts), so it admits no token of the cluster's own issuer.
      return false;
    default:
      return assertNever(trust);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled federated credential trust ${JSON.stringify(value)}`);
}

export type CredentialMatch =
  | { kind: "exact"; credential: FederatedCredential }
  /** Credentials for this subject whose issuer is no scanned cluster's: most likely meant for this cluster. */
  | { kind: "issuer-mismatch"; candidates: ReadonlyArray<{ credential: FederatedCredential; difference: IssuerDifference }> }
  /**
   * Nothing admits the service account, and a flexible credential names this
   * cluster's exact issuer: it looks meant for it but Entra does not match
   * flexible credentials for AKS issuers. `wouldMatch` is what its expression
   * says of the subject, for the day Entra does.
   */
  | { kind: "flexible-unsupported"; credential: FederatedCredential; wouldMatch: ExpressionVerdict }
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
  const exact = principal.credentials.find((c) => trusts(c, issuer, subject));
  if (exact !== undefined) return { kind: "exact", credential: exact };

  const candidates = principal.credentials
    .filter((c) => exactSubject(c) === subject && !view.clusterByIssuer.has(c.issuer))
    .map((credential) => ({ credential, difference: issuerDifference(issuer, credential.issuer) }));
  if (candidates.length > 0) return { kind: "issuer-mismatch", candidates };

  const flexible = principal.credentials.find((c) => c.issuer === issuer && c.trust.kind === "flexible");
  if (flexible !== undefined && flexible.trust.kind === "flexible") {
    const { expression } = flexible.trust;
    const wouldMatch = expression === undefined ? "unknown" : evaluateExpression(expression.value, { sub: subject });
    return { kind: "flexible-unsupported", credential: flexible, wouldMatch };
  }

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
  // Near misses are about subjects: a flexible credential has none to compare.
  const exactCredentials = principal.credentials.flatMap((credential) => {
    const credentialSubject = exactSubject(credential);
    return credentialSubject === undefined ? [] : [{ credential, credentialSubject }];
  });
  for (const { credential, credentialSubject } of exactCredentials) {
    const sameIssuerLoosely = looseIssuerKey(credential.issuer) === looseIssuer;
    const sameSubjectLoosely = credentialSubject.toLowerCase() === lowerSubject;
    if (sameIssuerLoosely && sameSubjectLoosely) {
      const parts: string[] = [];
      const issuerDiff = issuerDifference(issuer, credential.issuer);
      if (issuerDiff !== "none") parts.push(`issuer differs by ${issuerDiff}`);
      if (credentialSubject !== subject) parts.push("subject differs by case");
      return { credential, differs: parts.join(" and ") };
    }
  }
  for (const { credential, credentialSubject } of exactCredentials) {
    if (credentialSubject !== subject) continue;
    const other = view.clusterByIssuer.get(credential.issuer);
    if (other !== undefined && other.id.toLowerCase() !== cluster.id.toLowerCase()) {
      return { credential, differs: `issuer is cluster ${other.name}'s`, otherCluster: other };
    }
  }
  for (const { credential, credentialSubject } of exactCredentials) {
    if (credential.issuer === issuer) return { credential, differs: `subject is ${credentialSubject}` };
  }
  return undefined;
}

/**
 * The identity that already trusts this service account on this cluster, when
 * exactly one does: a service account missing its client id most likely means that one.
 */
export function principalTrusting(view: FleetView, cluster: AksCluster, subject: string): WorkloadPrincipal | undefined {
  const issuer = cluster.oidcIssuerUrl;
  if (issuer === undefined) return undefined;
  const trusting = new Set((view.credentialsByIssuer.get(issuer) ?? []).filter((t) => trusts(t.credential, issuer, subject)).map((t) => t.principal));
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
