/**
 * Azure objects exactly as ARM and Microsoft Graph return them (shapes from
 * the REST API examples in ../shared/reference/azure-rest-api-examples).
 */
import type { ArmObject, GraphApplication, GraphServicePrincipal } from "../fleet/model.js";

/** Built-in role definition GUIDs: the same in every tenant. */
export const BUILT_IN_ROLES = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  Reader: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
  "Storage Blob Data Contributor": "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
  "Storage Blob Data Reader": "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
  "DNS Zone Contributor": "befefa01-2a29-4197-83a8-272ff33ce314",
  AcrPull: "7f951dda-4ed3-4680-a7ca-43fe172d538d",
  "Azure Service Bus Data Sender": "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",
  "Azure Event Hubs Data Receiver": "a638d3c7-ab3a-418d-83e6-5f17a39d4fde",
  "Monitoring Metrics Publisher": "3913510d-42f4-4e42-8a64-420c390055eb",
} as const;
export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

/** `resourceGroups` as most ARM GETs return it; `resourcegroups` as list calls and Resource Graph often do. */
export type ResourceGroupSpelling = "resourceGroups" | "resourcegroups";

export function armId(subscriptionId: string, resourceGroup: string, provider: string, name: string, spelling: ResourceGroupSpelling = "resourceGroups"): string {
  return `/subscriptions/${subscriptionId}/${spelling}/${resourceGroup}/providers/${provider}/${name}`;
}

export function oidcIssuerUrl(location: string, tenantId: string, issuerGuid: string): string {
  return `https://${location}.oic.prod-aks.azure.com/${tenantId}/${issuerGuid}/`;
}

export interface ManagedClusterOptions {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tenantId: string;
  kubernetesVersion: string;
  dnsPrefix?: string;
  /** 8 hex characters AKS appends to the DNS prefix in the fqdn. */
  fqdnSuffix: string;
  oidcIssuerEnabled: boolean;
  /** Required when the OIDC issuer is enabled. */
  issuerGuid?: string;
  workloadIdentityEnabled: boolean;
  private?: boolean;
  /** The GUID label of a private cluster's privatelink DNS name. */
  privateDnsZoneGuid?: string;
  /** The cluster's system-assigned identity. */
  principalId?: string;
  disableLocalAccounts?: boolean;
  azureRbac?: boolean;
  nodeCount?: number;
  powerState?: "Running" | "Stopped";
  idSpelling?: ResourceGroupSpelling;
  tags?: Record<string, string>;
}

export function managedCluster(o: ManagedClusterOptions): ArmObject {
  const dnsPrefix = o.dnsPrefix ?? `${o.name}-dns`;
  const host = `${dnsPrefix}-${o.fqdnSuffix}`;
  const nodeResourceGroup = `MC_${o.resourceGroup}_${o.name}_${o.location}`;
  return {
    id: armId(o.subscriptionId, o.resourceGroup, "Microsoft.ContainerService/managedClusters", o.name, o.idSpelling),
    location: o.location,
    name: o.name,
    type: "Microsoft.ContainerService/ManagedClusters",
    ...(o.tags && { tags: o.tags }),
    ...(o.principalId && { identity: { principalId: o.principalId, tenantId: o.tenantId, type: "SystemAssigned" } }),
    sku: { name: "Base", tier: "Standard" },
    properties: {
      provisioningState: "Succeeded",
      powerState: { code: o.powerState ?? "Running" },
      kubernetesVersion: o.kubernetesVersion,
      currentKubernetesVersion: o.kubernetesVersion,
      dnsPrefix,
      ...(o.private
        ? { privateFQDN: `${host}.${o.privateDnsZoneGuid ?? "00000000-0000-0000-0000-000000000000"}.privatelink.${o.location}.azmk8s.io` }
        : { fqdn: `${host}.hcp.${o.location}.azmk8s.io`, azurePortalFQDN: `${host}.portal.hcp.${o.location}.azmk8s.io` }),
      agentPoolProfiles: [
        {
          name: "nodepool1",
          count: o.nodeCount ?? 3,
          vmSize: "Standard_D4ds_v5",
          osDiskSizeGB: 128,
          maxPods: 110,
          type: "VirtualMachineScaleSets",
          availabilityZones: ["1", "2", "3"],
          enableAutoScaling: false,
          orchestratorVersion: o.kubernetesVersion,
          currentOrchestratorVersion: o.kubernetesVersion,
          mode: "System",
          osType: "Linux",
          osSKU: "AzureLinux",
          provisioningState: "Succeeded",
          powerState: { code: o.powerState ?? "Running" },
        },
      ],
      nodeResourceGroup,
      enableRBAC: true,
      aadProfile: { managed: true, enableAzureRBAC: o.azureRbac ?? true, tenantID: o.tenantId },
      disableLocalAccounts: o.disableLocalAccounts ?? true,
      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: "overlay",
        networkPolicy: "cilium",
        networkDataplane: "cilium",
        loadBalancerSku: "standard",
        outboundType: "loadBalancer",
        podCidr: "10.244.0.0/16",
        serviceCidr: "10.0.0.0/16",
        dnsServiceIP: "10.0.0.10",
        podCidrs: ["10.244.0.0/16"],
        serviceCidrs: ["10.0.0.0/16"],
        ipFamilies: ["IPv4"],
      },
      ...(o.private && { apiServerAccessProfile: { enablePrivateCluster: true, enablePrivateClusterPublicFQDN: false, privateDNSZone: "system" } }),
      oidcIssuerProfile: o.oidcIssuerEnabled && o.issuerGuid ? { enabled: true, issuerURL: oidcIssuerUrl(o.location, o.tenantId, o.issuerGuid) } : { enabled: false },
      securityProfile: o.workloadIdentityEnabled ? { workloadIdentity: { enabled: true } } : {},
      supportPlan: "KubernetesOfficial",
    },
  };
}

export function userAssignedIdentity(o: {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  tenantId: string;
  clientId: string;
  principalId: string;
  idSpelling?: ResourceGroupSpelling;
  tags?: Record<string, string>;
}): ArmObject {
  return {
    id: armId(o.subscriptionId, o.resourceGroup, "Microsoft.ManagedIdentity/userAssignedIdentities", o.name, o.idSpelling ?? "resourcegroups"),
    location: o.location,
    name: o.name,
    type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    ...(o.tags && { tags: o.tags }),
    properties: { clientId: o.clientId, isolationScope: "None", principalId: o.principalId, tenantId: o.tenantId },
  };
}

export function federatedIdentityCredential(identityId: string, o: { name: string; issuer: string; subject: string; audiences?: string[] }): ArmObject {
  return {
    id: `${identityId}/federatedIdentityCredentials/${o.name}`,
    name: o.name,
    properties: { audiences: o.audiences ?? ["api://AzureADTokenExchange"], issuer: o.issuer, subject: o.subject },
    type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
  };
}

export function roleAssignment(o: { scope: string; subscriptionId: string; role: BuiltInRole; principalId: string; principalType?: string; name: string }): ArmObject {
  return {
    id: `${o.scope}/providers/Microsoft.Authorization/roleAssignments/${o.name}`,
    name: o.name,
    type: "Microsoft.Authorization/roleAssignments",
    properties: {
      principalId: o.principalId,
      principalType: o.principalType ?? "ServicePrincipal",
      roleDefinitionId: `/subscriptions/${o.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[o.role]}`,
      scope: o.scope,
    },
  };
}

export function graphApplication(o: {
  id: string;
  appId: string;
  displayName: string;
  createdDateTime: string;
  federatedIdentityCredentials: Array<{ id: string; name: string; issuer: string; subject: string; audiences?: string[]; description?: string }>;
}): GraphApplication {
  return {
    id: o.id,
    appId: o.appId,
    displayName: o.displayName,
    createdDateTime: o.createdDateTime,
    signInAudience: "AzureADMyOrg",
    federatedIdentityCredentials: o.federatedIdentityCredentials.map((f) => ({
      audiences: f.audiences ?? ["api://AzureADTokenExchange"],
      ...(f.description !== undefined && { description: f.description }),
      id: f.id,
      issuer: f.issuer,
      name: f.name,
      subject: f.subject,
    })),
  };
}

export function graphServicePrincipal(o: { id: string; appId: string; displayName: string; tenantId: string }): GraphServicePrincipal {
  return {
    id: o.id,
    accountEnabled: true,
    appId: o.appId,
    appOwnerOrganizationId: o.tenantId,
    displayName: o.displayName,
    servicePrincipalType: "Application",
    servicePrincipalNames: [o.appId],
  };
}
