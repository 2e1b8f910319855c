// The scanner's custom roles, defined once in the deployment subscription and
// assignable in every subscription the scanner reaches. Their permissions live
// in infra/roles/*.json, which the consistency tests read as well.
targetScope = 'subscription'

@description('Subscription scopes (/subscriptions/<id>) where the roles may be assigned; must include this subscription.')
param assignableScopes array

@description('Suffix that keeps role names unique in the tenant (the azd environment name).')
param roleNameSuffix string

var kubernetesReader = loadJsonContent('../roles/kubernetes-reader.json')
var tokenRequester = loadJsonContent('../roles/kubernetes-token-requester.json')
var runCommand = loadJsonContent('../roles/run-command.json')

resource kubernetesReaderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(subscription().id, roleNameSuffix, kubernetesReader.roleName)
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
  name: guid(subscription().id, roleNameSuffix, tokenRequester.roleName)
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
  name: guid(subscription().id, roleNameSuffix, runCommand.roleName)
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
