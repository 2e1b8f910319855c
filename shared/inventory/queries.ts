/**
 * The Resource Graph queries of the inventory. Every query projects `id`
 * (Resource Graph can only page results that include it) and orders by it,
 * so that pages are stable.
 */

export const SUBSCRIPTIONS_QUERY = `resourcecontainers
| where type =~ 'microsoft.resources/subscriptions'
| project id, subscriptionId, name, tenantId, tags
| order by id asc`;

export const CLUSTERS_QUERY = `resources
| where type =~ 'microsoft.containerservice/managedclusters'
| project id, name, subscriptionId, resourceGroup, location, tenantId,
    fqdn = properties.fqdn,
    privateFqdn = properties.privateFQDN,
    enablePrivateCluster = properties.apiServerAccessProfile.enablePrivateCluster,
    oidcIssuerEnabled = properties.oidcIssuerProfile.enabled,
    oidcIssuerUrl = properties.oidcIssuerProfile.issuerURL,
    workloadIdentityEnabled = properties.securityProfile.workloadIdentity.enabled,
    aadProfile = properties.aadProfile,
    disableLocalAccounts = properties.disableLocalAccounts,
    kubernetesVersion = properties.kubernetesVersion,
    powerState = properties.powerState.code
| order by id asc`;

export const IDENTITIES_QUERY = `resources
| where type =~ 'microsoft.managedidentity/userassignedidentities'
| project id, name, subscriptionId, resourceGroup, location,
    clientId = properties.clientId,
    principalId = properties.principalId,
    tenantId = properties.tenantId
| order by id asc`;

export const ROLE_ASSIGNMENTS_QUERY = `authorizationresources
| where type =~ 'microsoft.authorization/roleassignments'
| project id,
    principalId = properties.principalId,
    principalType = properties.principalType,
    roleDefinitionId = properties.roleDefinitionId,
    scope = properties.scope
| order by id asc`;

export const ROLE_DEFINITIONS_QUERY = `authorizationresources
| where type =~ 'microsoft.authorization/roledefinitions'
| project id, roleName = properties.roleName
| order by id asc`;
