/**
 * The fleet as the checks see it, indexed once per scan: identities and apps by
 * client id, clusters by issuer, credentials by issuer, role assignments by
 * principal. With 5,000 clusters no check may scan the inventory per cluster.
 */
import type {
  AksCluster,
  AppRegistration,
  FederatedCredential,
  Inventory,
  InventoryError,
  ManagedIdentity,
  RoleAssignment,
} from "../inventory/model.js";
import { groupBy } from "../collections.js";
import { isAksIssuer, looseIssuerKey } from "./workload-identity.js";

/** What a managed identity and an app registration have alike as workload principals. */
interface PrincipalBase {
  clientId: string;
  /** The tenant the principal is registered in (an app's home tenant, which may not be the scanned one). */
  tenantId: string;
  displayName: string;
  /** ARM id of a managed identity; "app:<appId>" for an app registration (FindingResource.identityId). */
  identityId: string;
  /** Object id that role assignments name. */
  principalId?: string;
  credentials: readonly FederatedCredential[];
  /** False when the credentials could not be listed: absence proves nothing. */
  credentialsKnown: boolean;
}

/** A managed identity or an app registration, the two things a client-id annotation can name. */
export type WorkloadPrincipal = (PrincipalBase & { kind: "managed-identity"; identity: ManagedIdentity }) | (PrincipalBase & { kind: "app-registration"; app: AppRegistration });

export interface TrustedCredential {
  principal: WorkloadPrincipal;
  credential: FederatedCredential;
}

export interface FleetView {
  inventory: Inventory;
  principals: readonly WorkloadPrincipal[];
  /** By lower-cased client id. A managed identity wins over an app registration with the same id. */
  principalByClientId: ReadonlyMap<string, WorkloadPrincipal>;
  /** By the exact issuer URL Azure reports: the comparison Entra makes. */
  clusterByIssuer: ReadonlyMap<string, AksCluster>;
  /** By issuer without trailing slash, lower-cased: only to tell a near miss from an unknown issuer. */
  clustersByLooseIssuer: ReadonlyMap<string, readonly AksCluster[]>;
  /** Credentials by their exact issuer. */
  credentialsByIssuer: ReadonlyMap<string, readonly TrustedCredential[]>;
  /** By lower-cased principal object id. */
  roleAssignmentsByPrincipal: ReadonlyMap<string, readonly RoleAssignment[]>;
  /** False when Resource Graph's role assignments could not be read. */
  roleAssignmentsKnown: boolean;
  /** False when app registrations could not be listed (Microsoft Graph). */
  applicationsKnown: boolean;
  /**
   * Lower-cased client ids whose Microsoft Graph look-up failed: whether an
   * app registration has them is unknown, never "no". Holds "*" when a failure
   * named no client id.
   */
  unresolvedClientIds: ReadonlySet<string>;
}

/** Whether the look-up of this client id failed, so its absence from the view proves nothing. */
export function lookupFailed(view: FleetView, clientId: string): boolean {
  return view.unresolvedClientIds.has("*") || view.unresolvedClientIds.has(clientId.toLowerCase());
}

/**
 * Indexes the inventory once per scan.
 *
 * @example
 * const view = buildFleetView(inventory);
 * const { findings } = runClusterChecks(view, snapshot);
 */
export function buildFleetView(inventory: Inventory): FleetView {
  const unreadCredentialsOf = new Set<string>();
  let roleAssignmentsKnown = true;
  let applicationsKnown = true;
  const unresolvedClientIds = new Set<string>();
  // The inventory names operations in prose ("federatedIdentityCredentials",
  // "applications", "roleAssignments"); match loosely so a renamed operation
  // errs on the side of "could not see", never on a false finding.
  for (const error of inventory.errors) {
    const op = error.operation.toLowerCase();
    if (op.includes("federated")) {
      if (error.resource !== undefined) unreadCredentialsOf.add(error.resource.toLowerCase());
    } else if (op.includes("role") && !op.includes("definition")) {
      // Role definitions give names only (inventory/role-names.ts): their failure hides no assignment.
      roleAssignmentsKnown = false;
    } else if (op.includes("application") || op.includes("serviceprincipal")) {
      applicationsKnown = false;
      // collectApplications names the client ids of a failed look-up, comma-separated.
      for (const id of error.resource?.split(",") ?? ["*"]) unresolvedClientIds.add(id.trim().toLowerCase());
    }
  }

  const principals: WorkloadPrincipal[] = [];
  const principalByClientId = new Map<string, WorkloadPrincipal>();
  for (const app of inventory.applications) {
    // An app registered in another tenant keeps its credentials there, out of this scan's sight.
    const credentialsReadable = app.objectId !== undefined && !unreadCredentialsOf.has(app.objectId.toLowerCase());
    const principal: WorkloadPrincipal = {
      kind: "app-registration",
      clientId: app.appId,
      tenantId: app.homeTenantId !== "" ? app.homeTenantId : app.tenantId,
      displayName: app.displayName,
      identityId: `app:${app.appId}`,
      ...(app.servicePrincipalId !== undefined && { principalId: app.servicePrincipalId }),
      credentials: app.federatedCredentials,
      credentialsKnown: credentialsReadable && !unreadCredentialsOf.has(app.appId.toLowerCase()),
      app,
    };
    principals.push(principal);
    principalByClientId.set(app.appId.toLowerCase(), principal);
  }
  for (const identity of inventory.identities) {
    const principal: WorkloadPrincipal = {
      kind: "managed-identity",
      clientId: identity.clientId,
      tenantId: identity.tenantId,
      displayName: identity.name,
      identityId: identity.id,
      principalId: identity.principalId,
      credentials: identity.federatedCredentials,
      credentialsKnown: identity.federatedCredentialsKnown && !unreadCredentialsOf.has(identity.id.toLowerCase()),
      identity,
    };
    principals.push(principal);
    principalByClientId.set(identity.clientId.toLowerCase(), principal);
  }

  const withIssuer = inventory.clusters.filter((cluster): cluster is AksCluster & { oidcIssuerUrl: string } => !!cluster.oidcIssuerUrl);

  return {
    inventory,
    principals,
    principalByClientId,
    clusterByIssuer: new Map(withIssuer.map((cluster) => [cluster.oidcIssuerUrl, cluster])),
    clustersByLooseIssuer: groupBy(withIssuer, (cluster) => looseIssuerKey(cluster.oidcIssuerUrl)),
    credentialsByIssuer: credentialsByIssuerOf(principals),
    roleAssignmentsByPrincipal: groupBy(inventory.roleAssignments, (assignment) => assignment.principalId.toLowerCase()),
    roleAssignmentsKnown,
    applicationsKnown,
    unresolvedClientIds,
  };
}

function credentialsByIssuerOf(principals: readonly WorkloadPrincipal[]): Map<string, TrustedCredential[]> {
  const trusted = principals.flatMap((principal) => principal.credentials.map((credential) => ({ principal, credential })));
  return groupBy(trusted, ({ credential }) => credential.issuer);
}

/**
 * Tenants that can issue this principal a token for a workload, as Entra
 * decides: a managed identity or a single-tenant app only its own tenant
 * (elsewhere AADSTS700016); a multi-tenant app (signInAudience
 * AzureADMultipleOrgs or AzureADandPersonalMicrosoftAccount) also every tenant
 * it is provisioned in, where the token is requested while the federated
 * credential stays on the app in its home tenant (learn.microsoft.com,
 * "Configure an application to trust a managed identity": "to access resources
 * in another tenant, your app registration must be a multitenant application
 * and provisioned into the other tenant"). The scan sees only its own tenant,
 * so for a multi-tenant app any tenant may be right: "any".
 */
export function tokenTenants(principal: WorkloadPrincipal): { tenants: readonly string[] } | "any" {
  if (principal.kind === "managed-identity") return { tenants: [principal.tenantId] };
  const { app } = principal;
  if (isMultiTenantAudience(app.signInAudience)) return "any";
  // A single-tenant app provisioned here cannot exist; trust Graph's service principal over the audience it reports.
  return app.homeTenantId !== "" && app.homeTenantId.toLowerCase() !== app.tenantId.toLowerCase() ? "any" : { tenants: [principal.tenantId] };
}

const MULTI_TENANT_AUDIENCES: ReadonlySet<string> = new Set(["AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"]);
function isMultiTenantAudience(signInAudience: string | undefined): boolean {
  return signInAudience !== undefined && MULTI_TENANT_AUDIENCES.has(signInAudience);
}

/**
 * Credentials for AKS clusters (a scanned cluster's issuer, or an AKS issuer
 * URL). Credentials for GitHub Actions and other issuers follow other rules
 * for subject and audience and are left alone.
 */
export function trustsAksIssuer(view: FleetView, issuer: string): boolean {
  return view.clusterByIssuer.has(issuer) || view.clustersByLooseIssuer.has(looseIssuerKey(issuer)) || isAksIssuer(issuer);
}

/**
 * The view with app registrations (and the errors of looking them up) added,
 * for one cluster's checks. Costs what the additions cost, not what the fleet
 * costs: with thousands of clusters each naming an app registration, rebuilding
 * the whole view per cluster would index every identity again and again. The
 * base view is never changed, so one cluster's lookups never alter another's verdicts.
 */
export function extendFleetView(view: FleetView, applications: readonly AppRegistration[], errors: readonly InventoryError[]): FleetView {
  if (applications.length === 0 && errors.length === 0) return view;
  const added = buildFleetView({
    ...view.inventory,
    clusters: [],
    identities: [],
    roleAssignments: [],
    applications: [...applications],
    errors: [...view.inventory.errors, ...errors],
  });
  // A managed identity (or an app the base already knows) wins over an app with the same client id, as in buildFleetView.
  const newPrincipals = added.principals.filter((p) => !view.principalByClientId.has(p.clientId.toLowerCase()));
  return {
    ...view,
    inventory: { ...view.inventory, applications: [...view.inventory.applications, ...applications], errors: [...view.inventory.errors, ...errors] },
    principals: [...view.principals, ...newPrincipals],
    principalByClientId: new OverlayMap(view.principalByClientId, new Map(newPrincipals.map((p) => [p.clientId.toLowerCase(), p])), (base) => base),
    credentialsByIssuer: new OverlayMap(view.credentialsByIssuer, credentialsByIssuerOf(newPrincipals), (base, extra) => [...base, ...extra]),
    roleAssignmentsKnown: view.roleAssignmentsKnown && added.roleAssignmentsKnown,
    applicationsKnown: view.applicationsKnown && added.applicationsKnown,
    unresolvedClientIds: added.unresolvedClientIds.size === 0 ? view.unresolvedClientIds : new Set([...view.unresolvedClientIds, ...added.unresolvedClientIds]),
  };
}

/** A read-only map seen through a smaller one: keys in both are combined, nothing is copied. */
class OverlayMap<K, V> implements ReadonlyMap<K, V> {
  readonly size: number;
  constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly extra: ReadonlyMap<K, V>,
    private readonly combine: (base: V, extra: V) => V,
  ) {
    let onlyExtra = 0;
    for (const key of extra.keys()) if (!base.has(key)) onlyExtra += 1;
    this.size = base.size + onlyExtra;
  }
  get(key: K): V | undefined {
    const b = this.base.get(key);
    const e = this.extra.get(key);
    if (b === undefined) return e;
    return e === undefined ? b : this.combine(b, e);
  }
  has(key: K): boolean {
    return this.base.has(key) || this.extra.has(key);
  }
  *entries(): MapIterator<[K, V]> {
    for (const key of this.keys()) yield [key, this.get(key) as V];
  }
  *keys(): MapIterator<K> {
    yield* this.base.keys();
    for (const key of this.extra.keys()) if (!this.base.has(key)) yield key;
  }
  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }
  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }
}
