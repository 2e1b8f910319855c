import type { FaultInjector } from "../faults.js";
import type { FleetDescription } from "../fleet/model.js";
import type { TokenSigner } from "../tokens.js";

/** What the Azure-side handlers share. Endpoints are filled once the server listens. */
export interface AzureContext {
  fleet: FleetDescription;
  /** Signs the access tokens it issues; verifies them and the service account tokens it exchanges. */
  signer: TokenSigner;
  faults: FaultInjector;
  resourceGraphPageSize: number;
  resourceGraphMaxSubscriptions: number;
  /** Subscriptions a tenant or management-group query reads at most (Azure's: 10,000). */
  resourceGraphTenantSubscriptionLimit: number;
  armPageSize: number;
  graphPageSize: number;
  endpoint: string;
  caPem: string;
  /** Where a cluster's API server is reached: its path on the Kubernetes port, or an address that refuses connections. */
  kubernetesServerFor(clusterName: string): string;
  /** The static bearer token accepted by a cluster without Entra integration. */
  kubernetesTokenFor(clusterName: string): string;
  /** The cluster-user client certificate and key (PEM) accepted by a cluster without Entra integration. */
  kubernetesClientCertificate: { certPem: string; keyPem: string };
}

/** Audiences the simulator's token endpoint issues for ARM; ARM accepts all of them, as Azure does. */
export const ARM_AUDIENCES = [
  "https://management.azure.com",
  "https://management.azure.com/",
  "https://management.core.windows.net",
  "https://management.core.windows.net/",
];

export const GRAPH_AUDIENCES = ["https://graph.microsoft.com", "https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000"];

/** The AKS AAD server application: the audience of tokens for Entra-integrated clusters. */
export { AKS_SERVER_APP_ID } from "../kubernetes/index.js";
