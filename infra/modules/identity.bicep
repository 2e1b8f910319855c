// The scanner's user-assigned managed identity: the Function App runs as it,
// reaches its own storage with it, and scans the fleet with it. A user-assigned
// identity (not the app's system identity) so that the role assignments across
// subscriptions survive re-creating the app, and so that the Graph permission
// granted once by infra/scripts/grant-graph-permission.sh stays valid.

@description('Region of the identity.')
param location string

@description('Tags applied to the identity.')
param tags object

@description('Name of the user-assigned managed identity.')
param name string

resource scanner 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = scanner.id
output name string = scanner.name
output clientId string = scanner.properties.clientId
output principalId string = scanner.properties.principalId
