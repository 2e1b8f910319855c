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
    disableRunCommand = properties.apiServerAccessProfile.disableRunCommand,
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

/**
 * Resource Graph's authorizationScopeFilter for role assignments and custom
 * roles. Without it Resource Graph applies AtScopeAndBelow (azure-rest-api-specs,
 * specification/resourcegraph/resource-manager/Microsoft.ResourceGraph/ResourceGraph/stable/2024-04-01/resourcegraph.json,
 * QueryRequestOptions.authorizationScopeFilter), which leaves out what the
 * scanned subscriptions inherit from management groups and "/": exactly the
 * broad grants identity.over-privileged exists for. @azure/arm-resourcegraph
 * 5.0.0 sends the option as is (QueryRequestOptions.authorizationScopeFilter).
 */
export const INHERITED_AUTHORIZATION = { authorizationScopeFilter: "AtScopeAboveAndBelow" } as const;

export const ROLE_ASSIGNMENTS_QUERY = `authorizationresources
| where type =~ 'microsoft.authorization/roleassignments'
| project id,
    principalId = properties.principalId,
    principalType = properties.principalType,
    roleDefinitionId = properties.roleDefinitionId,
    scope = properties.scope,
    condition = properties.condition,
    conditionVersion = properties.conditionVersion
| order by id asc`;

/** Custom roles only: built-in names come from built-in-roles.ts (Resource Graph lists built-ins once per subscription). */
export const CUSTOM_ROLE_DEFINITIONS_QUERY = `authorizationresources
| where type =~ 'microsoft.authorization/roledefinitions' and properties.type == 'CustomRole'
| project id, roleName = properties.roleName
| order by id asc`;
