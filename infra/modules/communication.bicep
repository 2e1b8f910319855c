// Azure Communication Services Email for the weekly digest: an Email
// Communication Service with an Azure-managed domain, linked to a
// Communication Services resource. The scanner sends with its managed identity
// through a custom role holding only the actions Microsoft documents for
// sending with Entra ID; the resource's access keys are never read.

@description('Tags applied to the email resources.')
param tags object

@description('Data residency of the Communication Services resources, e.g. Europe or United States.')
param dataLocation string

@description('Name of the Email Communication Service.')
param emailServiceName string

@description('Name of the Communication Services resource.')
param communicationServiceName string

@description('Object id of the identity that sends the digest.')
param senderPrincipalId string

@description('Suffix that keeps the custom role name unique in the tenant.')
param roleNameSuffix string

var emailSender = loadJsonContent('../roles/email-sender.json')

resource emailService 'Microsoft.Communication/emailServices@2023-04-01' = {
  name: emailServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
  }
}

resource managedDomain 'Microsoft.Communication/emailServices/domains@2023-04-01' = {
  parent: emailService
  name: 'AzureManagedDomain'
  location: 'global'
  tags: tags
  properties: {
    domainManagement: 'AzureManaged'
    userEngagementTracking: 'Disabled'
  }
}

resource communication 'Microsoft.Communication/communicationServices@2023-04-01' = {
  name: communicationServiceName
  location: 'global'
  tags: tags
  properties: {
    dataLocation: dataLocation
    linkedDomains: [
      managedDomain.id
    ]
  }
}

resource emailSenderRole 'Microsoft.Authorization/roleDefinitions@2022-04-01' = {
  name: guid(resourceGroup().id, emailSender.roleName)
  properties: {
    roleName: '${emailSender.roleName} (${roleNameSuffix})'
    description: emailSender.description
    type: 'CustomRole'
    assignableScopes: [
      resourceGroup().id
    ]
    permissions: [
      {
        actions: emailSender.actions
        notActions: []
        dataActions: emailSender.dataActions
        notDataActions: []
      }
    ]
  }
}

resource sender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(communication.id, senderPrincipalId, emailSenderRole.name)
  scope: communication
  properties: {
    // The subscription-level form of the id: role definition ids never carry a resource group.
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', emailSenderRole.name)
    principalId: senderPrincipalId
    principalType: 'ServicePrincipal'
    description: 'wiscan: send the digest'
  }
}

output endpoint string = 'https://${communication.properties.hostName}'
// Azure-managed domains send from DoNotReply@<generated domain>.
output senderAddress string = 'DoNotReply@${managedDomain.properties.mailFromSenderDomain}'
