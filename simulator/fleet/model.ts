/**
 * A fleet description in memory: the files of ../shared/design/FLEET-FORMAT.md
 * (docs/fleet-format.md in this repo), parsed. Azure objects stay exactly as
 * ARM and Microsoft Graph return them; Kubernetes objects exactly as
 * `kubectl get -o yaml` prints them.
 */

/** A JSON object as an Azure API returns it. Kept loose on purpose: the simulator serves what the file says. */
export type ArmObject = { id: string; name: string; type?: string; location?: string; properties?: Record<string, unknown>; [key: string]: unknown };

export interface GraphApplication {
  id: string;
  appId: string;
  displayName: string;
  federatedIdentityCredentials?: Array<{ id?: string; name: string; issuer: string; subject: string; audiences: string[]; description?: string }>;
  [key: string]: unknown;
}

export interface GraphServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  [key: string]: unknown;
}

export interface AzureFleet {
  tenantId: string;
  subscriptions: Array<{ subscriptionId: string; displayName: string }>;
  managedClusters: ArmObject[];
  userAssignedIdentities: ArmObject[];
  /** Keyed by identity resource id exactly as in userAssignedIdentities. */
  federatedIdentityCredentials: Record<string, ArmObject[]>;
  applications: GraphApplication[];
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
