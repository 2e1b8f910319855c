// The scanner's storage account: Functions host state, Durable Functions task
// hub (queues, tables, lease and large-message blobs), the findings tables,
// and the Flex Consumption deployment package container. Shared keys are
// disabled; the scanner's identity gets exactly the three data-plane roles it
// uses, on this account only.

@description('Region of the storage account.')
param location string

@description('Tags applied to the storage account.')
param tags object

@description('Globally unique storage account name (3-24 lowercase letters and digits).')
@minLength(3)
@maxLength(24)
param name string

@description('Blob container that holds the deployment package of the Flex Consumption app.')
param deploymentContainerName string

@description('Object id of the identity that uses the account (the scanner).')
param principalId string

var builtIn = loadJsonContent('../roles/built-in.json')

// Blob Data Owner: what Microsoft documents for a host that connects to
// AzureWebJobsStorage with an identity ("Storage Blob Data Owner" for the
// host's default storage, learn.microsoft.com/azure/azure-functions/functions-reference#connecting-to-host-storage-with-an-identity),
// and what Microsoft's Flex Consumption templates assign to the app's identity
// (Azure-Samples/azure-functions-flex-consumption-samples IaC/bicep/rbac.bicep:
// storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor;
// the azd quickstart Azure-Samples/functions-quickstart-typescript-azd uses the
// same rbac module from infra/main.bicep): host locks and
// secrets, timer schedule status, Durable leases and large messages, and the
// deployment package the platform reads with the same identity.
// Queue Data Contributor: Durable's control and work-item queues. Table Data
// Contributor: Durable's history and instances tables, and the findings. The
// Durable Azure Storage provider needs all three
// (learn.microsoft.com/azure/azure-functions/durable/durable-functions-storage-providers,
// identity-based connections). Why each: docs/permissions.md.
var dataRoles = [
  builtIn.storageBlobDataOwner.id
  builtIn.storageQueueDataContributor.id
  builtIn.storageTableDataContributor.id
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      bypass: 'AzureServices'
      defaultAction: 'Allow'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource dataAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in dataRoles: {
  name: guid(storage.id, principalId, roleId)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'wiscan: Functions host, Durable task hub, deployment package and findings tables'
  }
}]

output name string = storage.name
output deploymentContainerUrl string = '${storage.properties.primaryEndpoints.blob}${deploymentContainer.name}'
// Without the trailing slash of primaryEndpoints.table: the findings store appends table paths itself.
output tableEndpoint string = 'https://${storage.name}.table.${environment().suffixes.storage}'
