/**
 * A fleet description in memory: the files of ../shared/design/FLEET-FORMAT.md
 * (docs/fleet-format.md in this repo), parsed. Azure objects stay exactly as
 * ARM and Microsoft Graph return them; Kubernetes objects exactly as
 * `kubectl get -o yaml` prints them.
 */

/** A JSON object as an Azure API returns it. Kept loose on purpose: the simulator serves what the file says. */
export type ArmObject = { id: string; name: string; type?: string; location?: string; properties?: Record<string, unknown>; [key: string]: unknown };

/**
 * Microsoft Graph's federatedIdentityExpression (beta): a flexible credential's
 * expression, e.g. `claims['sub'] matches 'repo:contoso/*'`, languageVersion 1.
 * The same shape is ARM's claimsMatchingExpression (2025-01-31-preview).
 */
export interface ClaimsMatchingExpression {
  value: string;
  languageVersion: number;
}

/**
 * A Graph federatedIdentityCredential. `subject` and `claimsMatchingExpression`
 * are mutually exclusive; a flexible credential has `subject: null` (Graph beta
 * resource docs, federatedidentitycredential.md).
 */
export interface GraphFederatedCredential {
  id?: string;
  name: string;
  issuer: string;
  subject?: string | null;
  claimsMatchingExpression?: ClaimsMatchingExpression | null;
  audiences: string[];
  description?: string;
}

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  /** AzureADMyOrg (Graph's default), AzureADMultipleOrgs, AzureADandPersonalMicrosoftAccount, PersonalMicrosoftAccount. */
  signInAudience?: string;
  federatedIdentityCredentials?: GraphFederatedCredential[];
  [key: string]: unknown;
}

/**
 * A service principal of the tenant. One whose appId names no application of
 * the fleet belongs to an app registered in another tenant (a multi-tenant app
 * provisioned here): Graph lists it under /servicePrincipals and not under
 * /applications, and its appOwnerOrganizationId is the app's home tenant.
 */
export interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appOwnerOrganizationId?: string;
  signInAudience?: string;
  [key: string]: unknown;
}

/** An identity binding as the fleet writes it: what one would PUT; ARM's read-only fields are filled when served. */
export interface FleetIdentityBinding {
  name: string;
  properties: { managedIdentity: { resourceId: string }; provisioningState?: string };
}

export interface AzureFleet {
  tenantId: string;
  /**
   * Other tenants in which the scanner's app registration has a service
   * principal (a multi-tenant app consented there): Entra issues the scanner
   * client-credential tokens in them, as it does for any multi-tenant app
   * (learn.microsoft.com/entra/identity-platform/howto-convert-app-to-be-multi-tenant).
   * Clusters whose aadProfile.tenantID is one of them accept only those tokens.
   */
  scannerGuestTenants?: string[];
  /**
   * managementGroupAncestorsChain (optional): the subscription's management groups, nearest first,
   * as Resource Graph's property of that name on subscription rows. It decides which management-group
   * role assignments a subscription inherits; without it, the subscription sits under every group.
   */
  subscriptions: Array<{ subscriptionId: string; displayName: string; managementGroupAncestorsChain?: Array<{ name: string; displayName?: string }> }>;
  managedClusters: ArmObject[];
  userAssignedIdentities: ArmObject[];
  /** Keyed by identity resource id exactly as in userAssignedIdentities. */
  federatedIdentityCredentials: Record<string, ArmObject[]>;
  /**
   * AKS identity bindings (optional), keyed by managed cluster id exactly as
   * in managedClusters: `{ name, properties: { managedIdentity: { resourceId },
   * provisioningState? } }`. Served as ARM's managedClusters/identityBindings
   * with the read-only fields filled (simulator/azure/identity-bindings.ts).
   */
  identityBindings?: Record<string, FleetIdentityBinding[]>;
  applications: GraphApplication[];
  /**
   * App registrations of other tenants (their home tenant is their service
   * principal's appOwnerOrganizationId), with their federated credentials.
   * Microsoft Graph of this tenant never lists them; Entra's token endpoint
   * evaluates their credentials when a workload asks this tenant for a token
   * as a multi-tenant app provisioned here: the credential stays on the app in
   * its home tenant, and "to access resources in another tenant, your app
   * registration must be a multitenant application and provisioned into the
   * other tenant" (learn.microsoft.com/entra/workload-id/workload-identity-federation-config-app-trust-managed-identity).
   */
  foreignApplications?: GraphApplication[];
  servicePrincipals: GraphServicePrincipal[];
  roleAssignments: ArmObject[];
  /** Role definitions (optional in the file; built-in roles are always known to the simulator). */
  roleDefinitions?: ArmObject[];
}

/** A Kubernetes object as `kubectl get -o yaml` prints it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface FleetDescription {
  /** Where it was loaded from, or "generated". */
  source: string;
  azure: AzureFleet;
  /** Cluster name -> its objects. A managed cluster without an entry cannot be reached. */
  clusters: Map<string, KubeObject[]>;
  /** "<cluster>/<namespace>/<pod>/<container>" -> recent log lines. */
  logs: Record<string, string[]>;
  /** The simulator's own fault format (see simulator/faults.ts); empty when the fleet has none. */
  faults: unknown;
}
