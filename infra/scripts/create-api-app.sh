#!/usr/bin/env bash
# Creates or updates the Entra ID app registration that protects the wiscan
# HTTP API, and stores its client id in the azd environment
# (WISCAN_API_CLIENT_ID), which infra/main.parameters.json hands to Bicep for
# App Service Authentication (infra/modules/function-app.bicep). Bicep could
# only do this with the Microsoft Graph extension, and then a deployer without
# directory rights could not provision at all; as a script, an administrator
# can run it once and everyone else deploys with the stored client id
# (docs/deploy.md, "The API's app registration").
#
# What it makes sure of, every run (idempotent):
#   - the app registration "wiscan API (<environment>)", single tenant, with the
#     app roles of infra/roles/api-app-roles.json (stable ids: re-running never
#     invalidates an assignment) and the identifier URI api://<client id>;
#   - v2 access tokens (api.requestedAccessTokenVersion = 2), so tokens carry
#     the issuer https://login.microsoftonline.com/<tenant>/v2.0 that the
#     platform is configured to accept, and the client id as audience;
#   - a delegated scope user_impersonation, pre-authorized for the Azure CLI, so
#     people get a token with `az account get-access-token --scope
#     api://<client id>/user_impersonation` (their app roles are in it);
#   - its service principal, with appRoleAssignmentRequired = true: Entra ID
#     issues tokens for the API only to users, groups and applications that
#     were assigned an app role (infra/scripts/assign-api-role.sh).
# Graph properties: learn.microsoft.com/graph/api/resources/application
# (appRoles, identifierUris, api: apiApplication) and
# learn.microsoft.com/graph/api/resources/serviceprincipal
# (appRoleAssignmentRequired).
#
# Who can run it: anyone allowed to register applications (the default for
# members, unless the tenant turned it off), or an Application Administrator.
# Updating a registration someone else created needs its owner or an
# Application Administrator.
#
# Usage: infra/scripts/create-api-app.sh   (the azd preprovision hook runs it)
# Environment: AZURE_ENV_NAME (names the app), WISCAN_API_CLIENT_ID (an existing
# registration to update instead of looking one up by name).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
roles_file="${here}/../roles/api-app-roles.json"
name="wiscan API (${AZURE_ENV_NAME:-wiscan})"
app_id="${WISCAN_API_CLIENT_ID:-}"
# Stable id of the delegated scope, like the app roles' ids: changing it would
# break every client that was granted it.
scope_id="5ea51d73-42fa-4a54-b4a2-532d15fc07b9"
# The Azure CLI's public client id (AZURE_CLI_CLIENT_ID in
# github.com/Azure/azure-cli, src/azure-cli-core/azure/cli/core/auth/identity.py).
azure_cli_app_id="04b07795-8ddb-461a-bbee-02f9e1bf7b46"

graph="$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)"
graph="${graph%/}"

# Directory objects replicate for a few seconds after creation: retry what depends on them.
retry() {
  local attempt
  for attempt in 1 2 3 4 5 6; do
    if "$@"; then return 0; fi
    [[ $attempt -lt 6 ]] && sleep 10
  done
  return 1
}

api_body() {
  local preauthorized="$1"
  cat <<JSON
{"api": {
  "requestedAccessTokenVersion": 2,
  "oauth2PermissionScopes": [{
    "id": "${scope_id}",
    "value": "user_impersonation",
    "type": "User",
    "isEnabled": true,
    "adminConsentDisplayName": "Call wiscan as the signed-in user",
    "adminConsentDescription": "Lets the application call the wiscan API as the signed-in user, with that user's wiscan app roles.",
    "userConsentDisplayName": "Call wiscan as you",
    "userConsentDescription": "Lets the application call the wiscan API as you, with your wiscan app roles."
  }],
  "preAuthorizedApplications": ${preauthorized}
}}
JSON
}

configure() {
  az ad app update --id "$app_id" --identifier-uris "api://${app_id}" --app-roles "@${roles_file}" --output none || return 1
  # The scope must exist before a client can be pre-authorized for it: two requests.
  az rest --method patch --url "${graph}/v1.0/applications(appId='${app_id}')" \
    --headers "Content-Type=application/json" --body "$(api_body '[]')" --output none || return 1
  az rest --method patch --url "${graph}/v1.0/applications(appId='${app_id}')" \
    --headers "Content-Type=application/json" \
    --body "$(api_body "[{\"appId\": \"${azure_cli_app_id}\", \"delegatedPermissionIds\": [\"${scope_id}\"]}]")" --output none || return 1

  if ! az ad sp show --id "$app_id" --query id -o tsv >/dev/null 2>&1; then
    retry az ad sp create --id "$app_id" --output none || return 1
  fi
  retry az rest --method patch --url "${graph}/v1.0/servicePrincipals(appId='${app_id}')" \
    --headers "Content-Type=application/json" --body '{"appRoleAssignmentRequired": true}' --output none || return 1
}

preset="$app_id"
if [[ -z "$app_id" ]]; then
  found="$(az ad app list --filter "displayName eq '${name}'" --query "[].appId" -o tsv)"
  count="$(printf '%s' "$found" | grep -c . || true)"
  if [[ "$count" -gt 1 ]]; then
    echo "More than one app registration is named \"${name}\"; choose one with: azd env set WISCAN_API_CLIENT_ID <client id>" >&2
    exit 1
  fi
  app_id="$found"
fi

if [[ -z "$app_id" ]]; then
  echo "Creating the app registration \"${name}\"."
  if ! app_id="$(az ad app create --display-name "$name" --sign-in-audience AzureADMyOrg \
      --app-roles "@${roles_file}" --query appId -o tsv)" || [[ -z "$app_id" ]]; then
    cat >&2 <<HELP
Could not create the app registration "${name}" (you may not be allowed to register applications).
Ask an Application Administrator to run infra/scripts/create-api-app.sh, or to create it as
docs/deploy.md describes, then: azd env set WISCAN_API_CLIENT_ID <its client id>
HELP
    exit 1
  fi
fi

if ! configure; then
  if [[ -n "$preset" ]]; then
    # Someone else owns the registration: deploying with it is still right.
    echo "warning: could not update app registration ${app_id}; using it as it is. Its owner can run this script to bring it in line with infra/roles/api-app-roles.json." >&2
  else
    echo "Could not finish configuring app registration ${app_id}; run this script again (directory changes take a moment to replicate)." >&2
    exit 1
  fi
fi

if command -v azd >/dev/null 2>&1 && [[ -n "${AZURE_ENV_NAME:-}" ]]; then
  azd env set WISCAN_API_CLIENT_ID "$app_id"
fi
echo "wiscan API app registration: client id ${app_id}, identifier URI api://${app_id}."
