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
  /**
   * apiServerAccessProfile.disableRunCommand (ARM ManagedClusterAPIServerAccessProfile,
   * @azure/arm-containerservice models.d.ts: "Whether to disable run command
   * for the cluster or not"); set only when true: AKS then refuses run command.
   */
  runCommandDisabled?: boolean;
  kubernetesVersion?: string;
  /** powerState.code: "Running" or "Stopped". */
  powerState?: string;
}

/**
 * What a credential admits besides its issuer and audience, parsed once at the
 * boundary (mapping.ts, federated-credentials.ts, applications.ts) so that no
 * check compares a subject that is not there. Compare through
 * checks/credential-match.ts trusts(), never by hand.
 */
export type CredentialTrust =
  /** One exact `subject` (the only kind Entra honours for AKS issuers today). */
  | { kind: "exact"; subject: string }
  /**
   * A flexible credential: `claimsMatchingExpression` and no subject (Graph
   * beta, ARM 2025-01-31-preview). `expression` is undefined when the API read
   * does not return it (Graph v1.0, ARM stable api-versions) and the second
   * read failed.
   */
  | { kind: "flexible"; expression?: { value: string; languageVersion: number } }
  /**
   * The credential AKS creates for identity bindings: named
   * `aks-identity-binding`, issuer `https://ib.oic.prod-aks.azure.com/<tenant>/<clientId>`,
   * "managed by AKS. Don't modify or delete it" (azure-aks-docs
   * articles/aks/identity-bindings.md). Pods reach it through AKS's token
   * proxy, never with the cluster's own issuer; no check may advise changing it.
   */
  | { kind: "identity-binding" };

/** A federated identity credential, on a managed identity (ARM) or an app registration (Graph). */
export interface FederatedCredential {
  /** ARM resource id for managed-identity credentials; Graph object id for app registrations. */
  id?: string;
  name: string;
  issuer: string;
  trust: CredentialTrust;
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

/**
 * An Entra app that a workload names by client id (appId) instead of a managed
 * identity: registered in the tenant (an application object with its
 * federated credentials), or registered in another tenant and present here
 * only as a service principal (a multi-tenant app provisioned in this tenant).
 */
export interface AppRegistration {
  /** The application object's id; absent when the app is registered in another tenant. */
  objectId?: string;
  appId: string;
  displayName: string;
  /** The scanned tenant. */
  tenantId: string;
  /**
   * Where the application object and its federated credentials live: the
   * scanned tenant, or the service principal's appOwnerOrganizationId. When it
   * is another tenant, the credentials cannot be read from here.
   */
  homeTenantId: string;
  /** AzureADMyOrg (single tenant), AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount, PersonalMicrosoftAccount; undefined when Graph did not say. */
  signInAudience?: string;
  /** Object id of its service principal in the tenant: the principal that role assignments name. */
  servicePrincipalId?: string;
  /** Empty for an app registered in another tenant (see homeTenantId): unknown, not absent. */
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
  /** Where it was made: a resource, resource group, subscription, management group, or "/" (the last two inherited by the subscriptions below). */
  scope: string;
  /** ABAC condition (properties.condition) limiting the assignment, e.g. which roles a User Access Administrator may assign. */
  condition?: string;
  /** Its language version, "2.0" for conditions written today. */
  conditionVersion?: string;
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
