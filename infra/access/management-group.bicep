// The scanner's access when it scans a management group (SCAN_MANAGEMENT_GROUPS).
// Deployed at the management group by infra/scripts/grant-management-group-access.sh
// (run by the azd postprovision hook), because a subscription deployment
// cannot assign roles at a management group:
//
//   az deployment mg create --management-group-id <mg> --location <region> \
//     --template-file infra/access/management-group.bicep --parameters principalId=<object id> ...
//
// Reader and the AKS Cluster User Role are assigned once, at the management
// group. The custom Kubernetes roles carry data actions, and Azure does not
// allow custom roles with data actions to be assigned at a management group:
// they are defined here (assignable anywhere below it) and assigned in each
// subscription of the group.
targetScope = 'managementGroup'

@description('Object id of the scanner\'s identity (azd output SCANNER_PRINCIPAL_ID).')
param principalId string

@description('Suffix that keeps role names unique in the tenant (the azd environment name).')
param roleNameSuffix string

@description('Every subscription below the management group (the script lists them).')
param subscriptionIds array

@description('Subscriptions that are probe scopes (PROBE_SCOPES).')
param probeSubscriptionIds array = []

@description('Subscriptions that are run-command scopes (RUN_COMMAND_SCOPES).')
param runCommandSubscriptionIds array = []

var builtIn = loadJsonContent('../roles/built-in.json')
var kubernetesReader = loadJsonContent('../roles/kubernetes-reader.json')
var tokenRequester = loadJsonContent('../roles/kubernetes-token-requester.json')
var runCommand = loadJsonContent('../roles/run-command.json')

var builtInRoleGuids = [
  builtIn.reader.id
  builtIn.aksClusterUser.id
]

resource builtInGrants 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleGuid in builtInRoleGuids: {
  name: guid(managementGroup().id, principalId, roleGuid)
  properties: {
    roleDefinitionId: tenantResourceId('Microsoft.Authorization/roleDefinitions', roleGuid)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'wiscan scanner'
  }
}]

resource kubernetesReaderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(managementGroup().id, roleNameSuffix, kubernetesReader.roleName)
  properties: {
    roleName: '${kubernetesReader.roleName} (${roleNameSuffix}, ${managementGroup().name})'
    description: kubernetesReader.description
    type: 'CustomRole'
    assignableScopes: [
      managementGroup().id
    ]
    permissions: [
      {
        actions: kubernetesReader.actions
        notActions: []
        dataActions: kubernetesReader.dataActions
        notDataActions: []
      }
    ]
  }
}

resource tokenRequesterRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(managementGroup().id, roleNameSuffix, tokenRequester.roleName)
  properties: {
    roleName: '${tokenRequester.roleName} (${roleNameSuffix}, ${managementGroup().name})'
    description: tokenRequester.description
    type: 'CustomRole'
    assignableScopes: [
      managementGroup().id
    ]
    permissions: [
      {
        actions: tokenRequester.actions
        notActions: []
        dataActions: tokenRequester.dataActions
        notDataActions: []
      }
    ]
  }
}

resource runCommandRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(managementGroup().id, roleNameSuffix, runCommand.roleName)
  properties: {
    roleName: '${runCommand.roleName} (${roleNameSuffix}, ${managementGroup().name})'
    description: runCommand.description
    type: 'CustomRole'
    assignableScopes: [
      managementGroup().id
    ]
    permissions: [
      {
        actions: runCommand.actions
        notActions: []
        dataActions: runCommand.dataActions
        notDataActions: []
      }
    ]
  }
}

module subscriptionAccess '../modules/subscription-access.bicep' = [for subscriptionId in subscriptionIds: {
  name: 'wiscan-access-${subscriptionId}'
  scope: subscription(subscriptionId)
  params: {
    principalId: principalId
    includeBuiltInRoles: false
    kubernetesReaderRoleGuid: kubernetesReaderRole.name
    tokenRequesterRoleGuid: tokenRequesterRole.name
    runCommandRoleGuid: runCommandRole.name
    probe: contains(probeSubscriptionIds, subscriptionId)
    runCommand: contains(runCommandSubscriptionIds, subscriptionId)
  }
}]
