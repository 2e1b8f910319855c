#!/usr/bin/env bash
# Grants Microsoft Graph Application.Read.All (an application permission) to the
# scanner's managed identity, so it can read app registrations and their
# federated credentials. Bicep cannot grant Graph app roles; this script does
# it through the Graph REST API with the caller's own `az login`.
#
# Who can run it: a Privileged Role Administrator or Global Administrator
# (granting an application permission is admin consent).
#
# Usage: infra/scripts/grant-graph-permission.sh <scanner-principal-object-id>
#        (or with SCANNER_PRINCIPAL_ID set, as the azd postprovision hook does)
# Idempotent: an existing grant is left alone.
set -euo pipefail

principal_id="${1:-${SCANNER_PRINCIPAL_ID:-}}"
permission="Application.Read.All"
graph_app_id="00000003-0000-0000-c000-000000000000"

if [[ -z "$principal_id" ]]; then
  echo "usage: $0 <scanner-principal-object-id>" >&2
  exit 2
fi

graph="$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)"
graph="${graph%/}"

graph_sp_id="$(az ad sp show --id "$graph_app_id" --query id -o tsv)"
# Look the role up by name rather than hard-coding its id (9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30 in the public cloud).
app_role_id="$(az ad sp show --id "$graph_app_id" \
  --query "appRoles[?value=='${permission}' && contains(allowedMemberTypes, 'Application')].id | [0]" -o tsv)"
if [[ -z "$app_role_id" ]]; then
  echo "Microsoft Graph has no application permission named ${permission}" >&2
  exit 1
fi

existing="$(az rest --method get \
  --url "${graph}/v1.0/servicePrincipals/${principal_id}/appRoleAssignments" \
  --query "length(value[?appRoleId=='${app_role_id}' && resourceId=='${graph_sp_id}'])" -o tsv)"
if [[ "$existing" != "0" ]]; then
  echo "Microsoft Graph ${permission} is already granted to ${principal_id}."
  exit 0
fi

az rest --method post \
  --url "${graph}/v1.0/servicePrincipals/${principal_id}/appRoleAssignments" \
  --headers "Content-Type=application/json" \
  --body "{\"principalId\":\"${principal_id}\",\"resourceId\":\"${graph_sp_id}\",\"appRoleId\":\"${app_role_id}\"}" \
  --output none
echo "Granted Microsoft Graph ${permission} to ${principal_id}."
