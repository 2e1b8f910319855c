// wiscan: the whole production install, for `azd up` (or
// `az deployment sub create -f infra/main.bicep`). Creates a resource group
// with the scanner's Function App (Flex Consumption, Node 22), its storage,
// identity, monitoring and (when there are recipients) email, then gives the
// scanner's identity the least privilege it needs in each scanned subscription.
//
// Scanning a management group instead: its role assignments cannot be made
// from a subscription deployment, so infra/access/management-group.bicep does
// them (the postprovision hook runs it). See docs/deploy.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(40)
@description('Name of the azd environment; part of resource names and of the custom role names.')
param environmentName string

// Only regions that offer Flex Consumption, so that azd's region prompt (the
// location metadata) offers nothing the plan would refuse. The list is the one
// of Microsoft's Flex Consumption azd template,
// github.com/Azure-Samples/functions-quickstart-typescript-azd infra/main.bicep;
// the live list: az functionapp list-flexconsumption-locations
// (learn.microsoft.com/azure/azure-functions/flex-consumption-how-to#view-currently-supported-regions).
// A region added later is one line here (test/infra/bicep-inputs.test.ts keeps the shape).
@minLength(1)
@description('Region of the resource group and its regional resources; must offer the Flex Consumption plan.')
@allowed([
  'australiaeast'
  'australiasoutheast'
  'brazilsouth'
  'canadacentral'
  'centralindia'
  'centralus'
  'eastasia'
  'eastus'
  'eastus2'
  'eastus2euap'
  'francecentral'
  'germanywestcentral'
  'italynorth'
  'japaneast'
  'koreacentral'
  'northcentralus'
  'northeurope'
  'norwayeast'
  'southafricanorth'
  'southcentralus'
  'southeastasia'
  'southindia'
  'spaincentral'
  'swedencentral'
  'uaenorth'
  'uksouth'
  'ukwest'
  'westcentralus'
  'westeurope'
  'westus'
  'westus2'
  'westus3'
])
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Comma-separated subscription ids to scan. Empty, with no management group: the subscription deployed to.')
param scanSubscriptions string = ''

@description('Management group id to scan instead of a subscription list (access granted by infra/access/management-group.bicep).')
param scanManagementGroup string = ''

@description('NCRONTAB schedule of the weekly scan, UTC, six fields.')
param scanSchedule string = '0 0 6 * * 1'

@description('Comma-separated addresses that receive the digest. Empty: no email resources, MAIL_TRANSPORT=none.')
param digestRecipients string = ''

@description('Team digests (DIGEST_ROUTES): entries separated by ;, each <subscription id>[,...]=<address>[,...]. Each team receives the digest of its own subscriptions.')
param digestRoutes string = ''

@description('Subscription tag whose value lists addresses that receive the digest of that subscription (DIGEST_ROUTE_TAG), e.g. owner-email. Empty: no routing by tag.')
param digestRouteTag string = ''

@description('From address of the digest. Empty: DoNotReply@ the Azure-managed email domain.')
param digestSender string = ''

@description('Data residency of Azure Communication Services, e.g. Europe or United States.')
param emailDataLocation string = 'Europe'

@description('Opt-in live token-exchange probe: comma-separated subscription ids or cluster resource ids. Empty: off.')
param probeScopes string = ''

@description('Opt-in run command for private clusters: comma-separated subscription ids or cluster resource ids. Empty: off.')
param runCommandScopes string = ''

@description('Clusters scanned at once by one process (SCAN_CONCURRENCY).')
@minValue(1)
@maxValue(1000)
param scanConcurrency int = 32

@description('Seconds allowed for one Kubernetes API request (CLUSTER_TIMEOUT_SECONDS).')
@minValue(1)
@maxValue(600)
param clusterTimeoutSeconds int = 30

@description('Log lines read per container of a workload-identity pod; 0 disables log reading (LOG_TAIL_LINES).')
@minValue(0)
@maxValue(10000)
param logTailLines int = 500

@description('Workload-identity pods whose logs are read per cluster, at most (LOG_MAX_PODS_PER_CLUSTER).')
@minValue(0)
@maxValue(100000)
param logMaxPodsPerCluster int = 200

@description('Pods of one owner (ReplicaSet, Job, ...) whose logs are read (LOG_PODS_PER_OWNER).')
@minValue(1)
@maxValue(1000)
param logPodsPerOwner int = 1

@description('Days to keep per-scan rows (RETENTION_DAYS).')
@minValue(1)
@maxValue(3650)
param retentionDays int = 90

@description('Findings shown in detail in the digest (DIGEST_MAX_FINDINGS).')
@minValue(1)
@maxValue(5000)
param digestMaxFindings int = 25

@description('Memory of each Function App instance, in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int = 2048

// Flex Consumption refuses a maximum below 40 or above 1000: "The lowest
// maximum scale ... is 40. The highest currently supported value is 1000"
// (learn.microsoft.com/azure/azure-functions/flex-consumption-plan, Considerations;
// MicrosoftDocs/azure-docs articles/azure-functions/flex-consumption-plan.md).
// Microsoft's Flex samples declare the same bounds (@minValue(40) @maxValue(1000)).
@description('Upper bound on Function App instances (Flex Consumption: 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

// Azure Communication Services Email sends at most this many emails per
// subscription, by domain kind (learn.microsoft.com/azure/communication-services/concepts/service-limits#email,
// MicrosoftDocs/azure-docs articles/communication-services/concepts/service-limits.md):
// an Azure-managed domain 5 a minute and 10 an hour, a custom verified domain
// 30 and 100 (more on request); at most 50 recipients per email for both.
// The defaults are the Azure-managed domain's, which is what the templates create.
@description('Digest emails sent per minute at most (ACS_EMAILS_PER_MINUTE); 5 for an Azure-managed domain, 30 for a custom domain.')
@minValue(1)
@maxValue(10000)
param acsEmailsPerMinute int = 5

@description('Digest emails sent per hour at most (ACS_EMAILS_PER_HOUR); 10 for an Azure-managed domain, 100 for a custom domain.')
@minValue(1)
@maxValue(1000000)
param acsEmailsPerHour int = 10

@description('Recipients per email at most (ACS_RECIPIENTS_PER_EMAIL); ACS accepts 50.')
@minValue(1)
@maxValue(50)
param acsRecipientsPerEmail int = 50

// No default on purpose: without it the API would be open to any holder of a
// function key. The preprovision hook (infra/scripts/create-api-app.sh) sets
// WISCAN_API_CLIENT_ID; docs/deploy.md says what to do without directory rights.
@description('Client id of the Entra ID app registration that protects the HTTP API (WISCAN_API_CLIENT_ID, set by infra/scripts/create-api-app.sh).')
@minLength(36)
@maxLength(36)
param apiClientId string

var tags = {
  'azd-env-name': environmentName
  application: 'wiscan'
}
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
// Custom role names must be unique in the whole tenant, not only per
// subscription: a second install with the same environment name in another
// subscription of the tenant would fail with RoleDefinitionWithSameNameExists
// ("The role name must be unique within the tenant",
// learn.microsoft.com/azure/role-based-access-control/troubleshoot-limits and
// custom-roles#custom-role-properties). The names carry a GUID derived from the
// subscription and the environment: stable across deployments of one install,
// different for every other install.
var roleNameId = guid(subscription().id, environmentName, 'wiscan-role-names')
var roleNameSuffix = '${environmentName}, ${roleNameId}'

var subscriptionList = filter(map(split(scanSubscriptions, ','), s => trim(s)), s => !empty(s))
var managementGroupId = trim(scanManagementGroup)
var managementGroupMode = !empty(managementGroupId)
var scannedSubscriptions = managementGroupMode ? [] : (empty(subscriptionList) ? [subscription().subscriptionId] : subscriptionList)

// Opt-in scopes: a GUID is a subscription, a /subscriptions/... path is a cluster.
var probeScopeList = filter(map(split(probeScopes, ','), s => trim(s)), s => !empty(s))
var runCommandScopeList = filter(map(split(runCommandScopes, ','), s => trim(s)), s => !empty(s))
var probeClusters = filter(probeScopeList, s => startsWith(toLower(s), '/subscriptions/'))
var runCommandClusters = filter(runCommandScopeList, s => startsWith(toLower(s), '/subscriptions/'))
var probeSubscriptions = filter(probeScopeList, s => !startsWith(s, '/'))
var runCommandSubscriptions = filter(runCommandScopeList, s => !startsWith(s, '/'))
var clusterSubscriptions = map(concat(probeClusters, runCommandClusters), id => split(id, '/')[2])

// Custom roles are defined here and assignable in every subscription the scanner is granted something in.
var roleAssignableScopes = map(union([subscription().subscriptionId], scannedSubscriptions, clusterSubscriptions), id => '/subscriptions/${id}')

var recipientList = filter(map(split(digestRecipients, ','), s => trim(s)), s => !empty(s))
// Routed team digests alone are enough to set up email.
var sendDigest = !empty(recipientList) || !empty(trim(digestRoutes)) || !empty(trim(digestRouteTag))

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'wiscan-identity'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'id-wiscan-${resourceToken}'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'wiscan-monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    workspaceName: 'log-wiscan-${resourceToken}'
    applicationInsightsName: 'appi-wiscan-${resourceToken}'
    publisherPrincipalId: identity.outputs.principalId
  }
}

module storage 'modules/storage.bicep' = {
  name: 'wiscan-storage'
  scope: rg
  params: {
    location: location
    tags: tags
    name: 'stwiscan${resourceToken}'
    deploymentContainerName: 'app-package'
    principalId: identity.outputs.principalId
  }
}

module email 'modules/communication.bicep' = if (sendDigest) {
  name: 'wiscan-email'
  scope: rg
  params: {
    tags: tags
    dataLocation: emailDataLocation
    emailServiceName: 'ecs-wiscan-${resourceToken}'
    communicationServiceName: 'acs-wiscan-${resourceToken}'
    senderPrincipalId: identity.outputs.principalId
    roleNameSuffix: roleNameSuffix
  }
}

module app 'modules/function-app.bicep' = {
  name: 'wiscan-app'
  scope: rg
  params: {
    location: location
    tags: tags
    planName: 'plan-wiscan-${resourceToken}'
    appName: 'func-wiscan-${resourceToken}'
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    apiClientId: apiClientId
    scanner: {
      tenantId: tenant().tenantId
      clientId: identity.outputs.clientId
      subscriptions: join(scannedSubscriptions, ',')
      managementGroups: managementGroupId
      schedule: scanSchedule
      concurrency: scanConcurrency
      clusterTimeoutSeconds: clusterTimeoutSeconds
      logTailLines: logTailLines
      logMaxPodsPerCluster: logMaxPodsPerCluster
      logPodsPerOwner: logPodsPerOwner
      findingsStorageAccountUrl: storage.outputs.tableEndpoint
      retentionDays: retentionDays
      mailTransport: sendDigest ? 'acs' : 'none'
      digestRecipients: join(recipientList, ',')
      digestRoutes: trim(digestRoutes)
      digestRouteTag: trim(digestRouteTag)
      digestSender: !empty(digestSender) ? digestSender : (sendDigest ? email!.outputs.senderAddress : '')
      digestMaxFindings: digestMaxFindings
      acsEndpoint: sendDigest ? email!.outputs.endpoint : ''
      acsEmailsPerMinute: acsEmailsPerMinute
      acsEmailsPerHour: acsEmailsPerHour
      acsRecipientsPerEmail: acsRecipientsPerEmail
      probeScopes: join(probeScopeList, ',')
      runCommandScopes: join(runCommandScopeList, ',')
    }
  }
}

// Custom roles: definable only where the deployer may write role definitions on every assignable scope.
module roleDefinitions 'modules/scanner-role-definitions.bicep' = {
  name: 'wiscan-role-definitions'
  params: {
    assignableScopes: roleAssignableScopes
    roleIdSeed: environmentName
    roleNameSuffix: roleNameSuffix
  }
}

module subscriptionAccess 'modules/subscription-access.bicep' = [for subscriptionId in scannedSubscriptions: {
  name: 'wiscan-access-${subscriptionId}'
  scope: subscription(subscriptionId)
  params: {
    principalId: identity.outputs.principalId
    kubernetesReaderRoleGuid: roleDefinitions.outputs.kubernetesReaderRoleGuid
    tokenRequesterRoleGuid: roleDefinitions.outputs.tokenRequesterRoleGuid
    runCommandRoleGuid: roleDefinitions.outputs.runCommandRoleGuid
    probe: contains(probeSubscriptions, subscriptionId)
    runCommand: contains(runCommandSubscriptions, subscriptionId)
  }
}]

module probeClusterAccess 'modules/cluster-access.bicep' = [for clusterId in probeClusters: {
  name: 'wiscan-probe-${uniqueString(clusterId)}'
  scope: resourceGroup(split(clusterId, '/')[2], split(clusterId, '/')[4])
  params: {
    clusterName: split(clusterId, '/')[8]
    principalId: identity.outputs.principalId
    roleGuid: roleDefinitions.outputs.tokenRequesterRoleGuid
  }
}]

module runCommandClusterAccess 'modules/cluster-access.bicep' = [for clusterId in runCommandClusters: {
  name: 'wiscan-runcmd-${uniqueString(clusterId)}'
  scope: resourceGroup(split(clusterId, '/')[2], split(clusterId, '/')[4])
  params: {
    clusterName: split(clusterId, '/')[8]
    principalId: identity.outputs.principalId
    roleGuid: roleDefinitions.outputs.runCommandRoleGuid
  }
}]

// azd stores these in the environment; the postprovision hook reads them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output SCANNER_PRINCIPAL_ID string = identity.outputs.principalId
output SCANNER_CLIENT_ID string = identity.outputs.clientId
output FUNCTION_APP_NAME string = app.outputs.name
output FINDINGS_API_BASE_URL string = app.outputs.findingsApiBaseUrl
output CONSOLE_URL string = app.outputs.consoleUrl
// What callers ask Entra ID a token for (docs/permissions.md, "Who may do what").
output WISCAN_API_APPLICATION_ID_URI string = 'api://${apiClientId}'
output SCAN_MANAGEMENT_GROUP string = managementGroupId
output SCANNED_SUBSCRIPTIONS string = join(scannedSubscriptions, ',')
output PROBE_SUBSCRIPTIONS string = join(probeSubscriptions, ',')
output RUN_COMMAND_SUBSCRIPTIONS string = join(runCommandSubscriptions, ',')
