// Log Analytics workspace and a workspace-based Application Insights component.
// Local (instrumentation key) authentication is disabled: the app sends
// telemetry with its managed identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING),
// which needs Monitoring Metrics Publisher on this component and nothing more.

@description('Region of the workspace and the component.')
param location string

@description('Tags applied to both resources.')
param tags object

@description('Name of the Log Analytics workspace.')
param workspaceName string

@description('Name of the Application Insights component.')
param applicationInsightsName string

@description('Object id of the identity that publishes telemetry.')
param publisherPrincipalId string

@description('Days the workspace keeps logs.')
param retentionInDays int = 30

var builtIn = loadJsonContent('../roles/built-in.json')

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: workspaceName
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
  }
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: applicationInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspace.id
    DisableLocalAuth: true
  }
}

resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, publisherPrincipalId, builtIn.monitoringMetricsPublisher.id)
  scope: applicationInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', builtIn.monitoringMetricsPublisher.id)
    principalId: publisherPrincipalId
    principalType: 'ServicePrincipal'
    description: 'wiscan: send telemetry with Entra ID (local auth is disabled)'
  }
}

// Not a secret: with local authentication disabled, the instrumentation key in it grants nothing.
output connectionString string = applicationInsights.properties.ConnectionString
output applicationInsightsName string = applicationInsights.name
