// What the scanner may do in one scanned subscription:
// - Reader: Resource Graph, managed clusters, user-assigned identities and
//   their federated credentials, role assignments.
// - Azure Kubernetes Service Cluster User Role: listClusterUserCredential, the
//   API server address and CA of every cluster (and, for clusters without
//   Entra ID integration, the only credential there is).
// - the custom Kubernetes reader role: the collector's reads on clusters that
//   use Azure RBAC for Kubernetes authorization.
// - opt-in: token requests for the live probe, run command for private clusters.
targetScope = 'subscription'

@description('Object id of the scanner\'s identity.')
param principalId string

@description('GUID of the custom Kubernetes reader role.')
param kubernetesReaderRoleGuid string

@description('GUID of the custom token requester role (probe).')
param tokenRequesterRoleGuid string

@description('GUID of the custom run command role.')
param runCommandRoleGuid string

@description('False when Reader and Cluster User are already granted above the subscription (management group mode).')
param includeBuiltInRoles bool = true

@description('True when the whole subscription is a probe scope (PROBE_SCOPES).')
param probe bool = false

@description('True when the whole subscription is a run-command scope (RUN_COMMAND_SCOPES).')
param runCommand bool = false

var builtIn = loadJsonContent('../roles/built-in.json')

var builtInRoleGuids = [
  builtIn.reader.id
  builtIn.aksClusterUser.id
]
var roleGuids = concat(includeBuiltInRoles ? builtInRoleGuids : [], [kubernetesReaderRoleGuid], probe ? [tokenRequesterRoleGuid] : [], runCommand ? [runCommandRoleGuid] : [])

resource grants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleGuid in roleGuids: {
  name: guid(subscription().id, principalId, roleGuid)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'wiscan scanner'
  }
}]
