/**
 * The Azure side of the fleet, as the checks see it: typed, flattened, and free
 * of SDK classes so that checks and tests can build it by hand.
 */

/** An AKS managed cluster, from Resource Graph. */
export interface AksCluster {
  /** ARM resource id exactly as Azure returned it (casing varies: compare case-insensitively). */
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  tenantId: string;
  fqdn?: string;
  privateFqdn?: string;
  /** apiServerAccessProfile.enablePrivateCluster */
  isPrivate: boolean;
  oidcIssuerEnabled: boolean;
  /** oidcIssuerProfile.issuerURL exactly as Azure returned it (AKS issuers end with "/"). */
  oidcIssuerUrl?: string;
  workloadIdentityEnabled: boolean;
  /** Entra ID integration (aadProfile.managed); undefined when the cluster has none. */
  aad?: { managed: boolean; azureRbac: boolean; tenantId?: string };
  localAccountsDisabled: boolean;
  kubernetesVersion?: string;
  /** powerState.code: "Running" or "Stopped". */
  powerState?: string;
}

/** A federated identity credential, on a managed identity (ARM) or an app registration (Graph). */
export interface FederatedCredential {
  /** ARM resource id for managed-identity credentials; Graph object id for app registrations. */
  id?: string;
  name: string;
  issuer: string;
  subject: string;
  audiences: string[];
}

/** A user-assigned managed identity with its federated credentials. */
export interface ManagedIdentity {
  id: string;
  name: string;
  subscriptionId: string;
  resourceGroup: string;
  location: string;
  clientId: string;
  principalId: string;
  tenantId: string;
  federatedCredentials: FederatedCredential[];
  /** false when the credentials could not be listed (forbidden, throttled out): absence proves nothing. */
  federatedCredentialsKnown: boolean;
}

/** An Entra app registration that a workload names by client id (appId) instead of a managed identity. */
export interface AppRegistration {
  objectId: string;
  appId: string;
  displayName: string;
  tenantId: string;
  /** Object id of its service principal in the tenant: the principal that role assignments name. */
  servicePrincipalId?: string;
  federatedCredentials: FederatedCredential[];
}

/** An Azure role assignment, from Resource Graph (authorizationresources). */
export interface RoleAssignment {
  id: string;
  principalId: string;
  principalType: string;
  /** Full role definition id; compare on its trailing GUID. */
  roleDefinitionId: string;
  /** Role name when known (built-in or joined from role definitions). */
  roleName?: string;
  scope: string;
}

export type InventoryErrorKind = "forbidden" | "throttled" | "not-found" | "error";

/** Something the inventory could not read; turns into a `scan.*` finding instead of an exception. */
export interface InventoryError {
  kind: InventoryErrorKind;
  /** What was being read, e.g. "federatedIdentityCredentials" or "applications". */
  operation: string;
  /** The resource concerned (identity id, subscription id, app id), when there is one. */
  resource?: string;
  message: string;
  /** Role or permission that would fix a "forbidden" error, e.g. "Managed Identity Operator" or "Application.Read.All". */
  permission?: string;
}

export interface Subscription {
  subscriptionId: string;
  displayName?: string;
  /** The subscription's tags, when it has any (DIGEST_ROUTE_TAG routes digests by one of them). */
  tags?: Record<string, string>;
}

/** Everything the fleet-level checks need, collected once per scan. */
export interface Inventory {
  tenantId: string;
  /** ISO-8601 time the collection started. */
  collectedAt: string;
  subscriptions: Subscription[];
  /**
   * True when every subscription of the tenant that could hold identities was read.
   * When false, "no identity has this client id" proves less (see sa.client-id-unknown).
   */
  complete: boolean;
  /** Subscriptions named in the scope (SCAN_SUBSCRIPTIONS, --subscription) that Resource Graph did not return: nothing of them was read. */
  missingSubscriptions?: string[];
  /** True when the subscriptions read are fewer than those visible, by choice of the scope (not by failure). */
  partialScope?: boolean;
  clusters: AksCluster[];
  identities: ManagedIdentity[];
  applications: AppRegistration[];
  roleAssignments: RoleAssignment[];
  errors: InventoryError[];
  /** Requests made, by API family, for the scan health and benchmarks. */
  requests: RequestCounts;
}

export interface RequestCounts {
  resourceGraph: number;
  arm: number;
  graph: number;
  kubernetes: number;
}
