/**
 * The Azure clouds wiscan can scan, and where each one's services answer.
 * One setting (AZURE_CLOUD) picks them all, so that no request of a scan in a
 * sovereign cloud leaves for the public one. Sources:
 * - authority hosts: @azure/identity's AzureAuthorityHosts (the SDK's own table);
 * - ARM and Microsoft Graph of Azure Government:
 *   learn.microsoft.com/azure/azure-government/compare-azure-government-global-azure
 *   (management.usgovcloudapi.net; Graph for US Government L4: graph.microsoft.us);
 * - ARM and Microsoft Graph of Azure operated by 21Vianet:
 *   learn.microsoft.com/azure/china/resources-developer-guide
 *   (management.chinacloudapi.cn; microsoftgraph.chinacloudapi.cn).
 * The AKS server application and the API server addresses come from each
 * cluster's own kubeconfig, whatever the cloud.
 */
import { AzureAuthorityHosts } from "@azure/identity";

export const AZURE_CLOUDS = ["AzurePublicCloud", "AzureUSGovernment", "AzureChinaCloud"] as const;
export type AzureCloud = (typeof AZURE_CLOUDS)[number];

export interface CloudEndpoints {
  cloud: AzureCloud;
  armEndpoint: string;
  graphEndpoint: string;
  authorityHost: string;
}

const ENDPOINTS: Readonly<Record<AzureCloud, CloudEndpoints>> = {
  AzurePublicCloud: {
    cloud: "AzurePublicCloud",
    armEndpoint: "https://management.azure.com",
    graphEndpoint: "https://graph.microsoft.com",
    authorityHost: AzureAuthorityHosts.AzurePublicCloud,
  },
  AzureUSGovernment: {
    cloud: "AzureUSGovernment",
    armEndpoint: "https://management.usgovcloudapi.net",
    graphEndpoint: "https://graph.microsoft.us",
    authorityHost: AzureAuthorityHosts.AzureGovernment,
  },
  AzureChinaCloud: {
    cloud: "AzureChinaCloud",
    armEndpoint: "https://management.chinacloudapi.cn",
    graphEndpoint: "https://microsoftgraph.chinacloudapi.cn",
    authorityHost: AzureAuthorityHosts.AzureChina,
  },
};

export function cloudEndpoints(cloud: AzureCloud = "AzurePublicCloud"): CloudEndpoints {
  return ENDPOINTS[cloud];
}

/** The client-credential scope of a resource: "<resource>/.default". */
export function defaultScope(resource: string): string {
  return `${resource.replace(/\/+$/, "")}/.default`;
}
