// One opt-in role (probe or run command) on one cluster, for PROBE_SCOPES and
// RUN_COMMAND_SCOPES entries that name a cluster rather than a subscription.
// Deployed into the cluster's resource group.

@description('Name of the AKS cluster.')
param clusterName string

@description('Object id of the scanner\'s identity.')
param principalId string

@description('GUID of the role to assign on the cluster.')
param roleGuid string

resource cluster 'Microsoft.ContainerService/managedClusters@2024-05-01' existing = {
  name: clusterName
}

resource grant 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cluster.id, principalId, roleGuid)
  scope: cluster
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'wiscan scanner (opt-in, this cluster only)'
  }
}
