// The scanner's Function App on the Flex Consumption plan (Linux, Node 22),
// running as the scanner's user-assigned identity. Every connection is
// identity-based: host storage (AzureWebJobsStorage__*), the deployment
// package container, Application Insights, the findings tables and ACS.
//
// The app settings below are the whole collection (a deployment replaces it):
// the host's own settings, then every scanner setting of
// shared/config/settings.ts. test/infra/app-settings.test.ts keeps the two
// lists in step; a setting left out here must be listed as optional in
// docs/deploy.md.

@description('Region of the plan and the app (must offer Flex Consumption).')
param location string

@description('Tags applied to the plan and the app.')
param tags object

@description('Name of the Flex Consumption plan.')
param planName string

@description('Globally unique name of the Function App.')
param appName string

@description('Resource id of the scanner\'s user-assigned identity.')
param identityId string

@description('Client id of the scanner\'s user-assigned identity.')
param identityClientId string

@description('Name of the storage account that holds host state, the task hub and the findings.')
param storageAccountName string

@description('URL of the blob container that holds the deployment package.')
param deploymentContainerUrl string

@description('Application Insights connection string.')
param applicationInsightsConnectionString string

@description('Memory of each instance, in MB.')
@allowed([
  2048
  4096
])
param instanceMemoryMB int

// Flex Consumption's bounds (learn.microsoft.com/azure/azure-functions/flex-consumption-plan,
// Considerations: lowest maximum 40, highest 1000), as in main.bicep.
@description('Upper bound on instances the app scales out to (40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('The values of the scanner\'s own settings (shared/config/settings.ts).')
param scanner ScannerSettings

@description('Client id of the API\'s Entra ID app registration (infra/scripts/create-api-app.sh): the audience App Service Authentication accepts.')
@minLength(36)
@maxLength(36)
param apiClientId string

@description('Values of the scanner settings, one field per setting of shared/config/settings.ts that the templates set.')
type ScannerSettings = {
  tenantId: string
  clientId: string
  subscriptions: string
  managementGroups: string
  schedule: string
  concurrency: int
  clusterTimeoutSeconds: int
  logTailLines: int
  logMaxPodsPerCluster: int
  logPodsPerOwner: int
  findingsStorageAccountUrl: string
  retentionDays: int
  mailTransport: 'acs' | 'none'
  digestRecipients: string
  digestRoutes: string
  digestRouteTag: string
  digestSender: string
  digestMaxFindings: int
  acsEndpoint: string
  acsEmailsPerMinute: int
  acsEmailsPerHour: int
  acsRecipientsPerEmail: int
  probeScopes: string
  runCommandScopes: string
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: appName
  location: location
  // azd finds the app to deploy the `scanner` service of azure.yaml by this tag.
  tags: union(tags, {
    'azd-service-name': 'scanner'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings (e.g. SMTP_PASSWORD) resolve with the scanner's identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// No publishing with user names and passwords: azd deploys with Entra ID.
resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'ftp'
  properties: {
    allow: false
  }
}

resource scmPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2023-12-01' = {
  parent: site
  name: 'scm'
  properties: {
    allow: false
  }
}

// Flex Consumption takes neither FUNCTIONS_WORKER_RUNTIME nor FUNCTIONS_EXTENSION_VERSION:
// the runtime comes from functionAppConfig.runtime above.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Host storage and the Durable Functions task hub, through the scanner's identity.
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    // Telemetry with Entra ID (local authentication is disabled on the component).
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // The scanner (shared/config/settings.ts).
    AZURE_TENANT_ID: scanner.tenantId
    AZURE_CLIENT_ID: scanner.clientId
    SCAN_SUBSCRIPTIONS: scanner.subscriptions
    SCAN_MANAGEMENT_GROUPS: scanner.managementGroups
    SCAN_SCHEDULE: scanner.schedule
    SCAN_CONCURRENCY: string(scanner.concurrency)
    CLUSTER_TIMEOUT_SECONDS: string(scanner.clusterTimeoutSeconds)
    LOG_TAIL_LINES: string(scanner.logTailLines)
    LOG_MAX_PODS_PER_CLUSTER: string(scanner.logMaxPodsPerCluster)
    LOG_PODS_PER_OWNER: string(scanner.logPodsPerOwner)
    FINDINGS_STORAGE_ACCOUNT_URL: scanner.findingsStorageAccountUrl
    RETENTION_DAYS: string(scanner.retentionDays)
    MAIL_TRANSPORT: scanner.mailTransport
    DIGEST_RECIPIENTS: scanner.digestRecipients
    DIGEST_ROUTES: scanner.digestRoutes
    DIGEST_ROUTE_TAG: scanner.digestRouteTag
    DIGEST_SENDER: scanner.digestSender
    DIGEST_MAX_FINDINGS: string(scanner.digestMaxFindings)
    FINDINGS_API_BASE_URL: 'https://${site.properties.defaultHostName}/api'
    ACS_ENDPOINT: scanner.acsEndpoint
    ACS_EMAILS_PER_MINUTE: string(scanner.acsEmailsPerMinute)
    ACS_EMAILS_PER_HOUR: string(scanner.acsEmailsPerHour)
    ACS_RECIPIENTS_PER_EMAIL: string(scanner.acsRecipientsPerEmail)
    PROBE_SCOPES: scanner.probeScopes
    RUN_COMMAND_SCOPES: scanner.runCommandScopes
  }
}

// App Service Authentication ("Easy Auth") in front of every HTTP route: the
// platform validates the caller's Entra ID access token before the request
// reaches the worker, answers 401 without one, and hands the validated claims
// to the code in x-ms-client-principal (stripping any such header a client
// sent). The code (shared/auth/principal.ts) then checks the caller's app roles
// per route; it trusts that header only where WEBSITE_AUTH_ENABLED=True, which
// the platform sets when this resource is enabled.
//
// Properties follow the published API, SiteAuthSettingsV2: the example
// specification/web/resource-manager/Microsoft.Web/stable/2024-04-01/examples/UpdateAuthSettingsV2.json
// of github.com/Azure/azure-rest-api-specs and the template reference
// learn.microsoft.com/azure/templates/microsoft.web/sites/config-authsettingsv2.
// Flex Consumption: its preview listed "EasyAuth isn't currently supported"
// under Considerations of learn.microsoft.com/azure/azure-functions/flex-consumption-plan
// (articles/azure-functions/flex-consumption-plan.md, 2024); the generally
// available plan's Considerations (2025) no longer list it. docs/deploy.md
// says how to check, after deploying, that unauthenticated calls are refused.
//
// The v2.0 issuer of the tenant. The API's registration asks for v2 access
// tokens (api.requestedAccessTokenVersion = 2), whose iss claim is
// https://login.microsoftonline.com/<tenant>/v2.0 in the public cloud
// (learn.microsoft.com/entra/identity-platform/access-token-claims-reference);
// the issuer URL takes the form <authentication endpoint>/<tenant id>/v2.0
// (learn.microsoft.com/azure/app-service/configure-authentication-provider-aad).
// The endpoint comes from the cloud deployed to, not a literal.
var loginEndpoint = environment().authentication.loginEndpoint
var loginAuthority = endsWith(loginEndpoint, '/') ? substring(loginEndpoint, 0, length(loginEndpoint) - 1) : loginEndpoint
var openIdIssuer = '${loginAuthority}/${tenant().tenantId}/v2.0'

resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  // After the app settings: the two updates of the site's configuration never run at once.
  dependsOn: [
    appSettings
  ]
  properties: {
    platform: {
      enabled: true
      runtimeVersion: '~1'
    }
    globalValidation: {
      // Every path, the Functions host's own included: no excludedPaths. The
      // Durable Functions client of the Node.js worker reaches the extension
      // over its local RPC endpoint (127.0.0.1, durable-functions 3.x
      // rpcBaseUrl), never through this front end, and the timer and
      // orchestrations are not HTTP; /runtime/webhooks/durabletask would
      // otherwise be reachable from the internet with the system key alone.
      requireAuthentication: true
      // An API: a status code, never a redirect to a sign-in page. The console's
      // pages keep this too: browsers sign in at the consoleUrl output
      // (/.auth/login/aad), so no path is let through unauthenticated (docs/console.md).
      unauthenticatedClientAction: 'Return401'
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: apiClientId
          openIdIssuer: openIdIssuer
          // No clientSecretSettingName: the app holds no secret. API callers bring
          // bearer tokens; browsers (the console) sign in with the implicit
          // flow, an ID token only, once infra/scripts/enable-console-sign-in.sh
          // has registered the callback (docs/console.md, "Security").
        }
        validation: {
          // v2 tokens carry the client id as audience, v1 tokens the identifier URI.
          allowedAudiences: [
            'api://${apiClientId}'
            apiClientId
          ]
          // No defaultAuthorizationPolicy: which callers get a token at all is
          // decided by Entra ID (appRoleAssignmentRequired on the service
          // principal), and what each may do by the code from their app roles.
        }
      }
    }
    login: {
      // Bearer tokens are validated per request; nothing to keep on the app's side.
      tokenStore: {
        enabled: false
      }
    }
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostName
output findingsApiBaseUrl string = 'https://${site.properties.defaultHostName}/api'
// The web console behind the same sign-in: this address signs a browser in and opens it (docs/console.md).
output consoleUrl string = 'https://${site.properties.defaultHostName}/.auth/login/aad?post_login_redirect_uri=/api/console'
