// The scanner's custom roles, defined once in the deployment subscription and
// assignable in every subscription the scanner reaches. Their permissions live
// in infra/roles/*.json, which the consistency tests read as well.
targetScope = 'subscription'

@description('Subscription scopes (/subscriptions/<id>) where the roles may be assigned; must include this subscription.')
param assignableScopes array

@description('What the role definitions\' ids derive from, with this subscription (the azd environment name). Kept apart from the display suffix so that an install renamed for tenant-wide uniqueness keeps its role definitions and their assignments.')
param roleIdSeed string

@description('Suffix that keeps role names unique in the tenant: the environment name and a GUID of subscription and environment (main.bicep, roleNameSuffix).')
param roleNameSuffix string

var kubernetesReader = loadJsonContent('../roles/kubernetes-reader.json')
var tokenRequester = loadJsonContent('../roles/kubernetes-token-requester.json')
var runCommand = loadJsonContent('../roles/run-command.json')

resource kubernetesReaderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, roleIdSeed, kubernetesReader.roleName)
  properties: {
    roleName: '${kubernetesReader.roleName} (${roleNameSuffix})'
    description: kubernetesReader.description
    type: 'CustomRole'
    assignableScopes: assignableScopes
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
  name: guid(subscription().id, roleIdSeed, tokenRequester.roleName)
  properties: {
    roleName: '${tokenRequester.roleName} (${roleNameSuffix})'
    description: tokenRequester.description
    type: 'CustomRole'
    assignableScopes: assignableScopes
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
  name: guid(subscription().id, roleIdSeed, runCommand.roleName)
  properties: {
    roleName: '${runCommand.roleName} (${roleNameSuffix})'
    description: runCommand.description
    type: 'CustomRole'
    assignableScopes: assignableScopes
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

// GUIDs, not full ids: an assignment in another subscription names the role through its own subscription.
output kubernetesReaderRoleGuid string = kubernetesReaderRole.name
output tokenRequesterRoleGuid string = tokenRequesterRole.name
output runCommandRoleGuid string = runCommandRole.name
