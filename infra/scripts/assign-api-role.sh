#!/usr/bin/env bash
# Gives a user, a group or an application one of the wiscan API's app roles
# (infra/roles/api-app-roles.json): an app role assignment on the API's service
# principal (Graph POST /servicePrincipals/{id}/appRoleAssignedTo,
# learn.microsoft.com/graph/api/serviceprincipal-post-approleassignedto).
# The role then appears in the `roles` claim of the caller's tokens for the
# API, which App Service Authentication hands to the code in
# x-ms-client-principal; docs/permissions.md ("Who may do what") says who
# needs which role.
#
# Usage: infra/scripts/assign-api-role.sh <role> <principal>
#   <role>       Findings.Read, Scans.Start, Suppressions.Write,
#                Suppressions.FleetWide or Digests.Send
#   <principal>  a user's sign-in name (UPN), or the object id of a user, a
#                group or a service principal, or an application's client id
# Environment: WISCAN_API_CLIENT_ID (read from the azd environment when unset).
# Idempotent: an existing assignment is left alone.
#
# Who can run it: an Application Administrator or Cloud Application
# Administrator (or the API's owner, for users and groups). Giving a role to an
# application is an application permission: it is admin consent.
set -euo pipefail

role="${1:-}"
principal="${2:-}"
if [[ -z "$role" || -z "$principal" ]]; then
  echo "usage: $0 <role> <user principal name | object id | application client id>" >&2
  exit 2
fi

api_client_id="${WISCAN_API_CLIENT_ID:-}"
if [[ -z "$api_client_id" ]] && command -v azd >/dev/null 2>&1; then
  api_client_id="$(azd env get-value WISCAN_API_CLIENT_ID 2>/dev/null || true)"
fi
if [[ -z "$api_client_id" ]]; then
  echo "WISCAN_API_CLIENT_ID is not set: run infra/scripts/create-api-app.sh (or azd provision) first" >&2
  exit 2
fi

graph="$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)"
graph="${graph%/}"
guid='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'

resource_id="$(az ad sp show --id "$api_client_id" --query id -o tsv)"
# The live registration is authoritative: a role the script does not know yet still works.
app_role_id="$(az ad sp show --id "$api_client_id" --query "appRoles[?value=='${role}' && isEnabled].id | [0]" -o tsv)"
if [[ -z "$app_role_id" ]]; then
  known="$(az ad sp show --id "$api_client_id" --query "join(', ', appRoles[?isEnabled].value)" -o tsv)"
  echo "The wiscan API has no app role \"${role}\" (it has: ${known})" >&2
  exit 2
fi

# The principal's object id, and which kind of principal it is.
if [[ "$principal" == *@* ]]; then
  principal_id="$(az ad user show --id "$principal" --query id -o tsv)"
  kind="user"
elif [[ "$principal" =~ $guid ]]; then
  odata_type="$(az rest --method get --url "${graph}/v1.0/directoryObjects/${principal}" --query '"@odata.type"' -o tsv 2>/dev/null || true)"
  case "$odata_type" in
    "#microsoft.graph.user") principal_id="$principal"; kind="user" ;;
    "#microsoft.graph.group") principal_id="$principal"; kind="group" ;;
    "#microsoft.graph.servicePrincipal") principal_id="$principal"; kind="servicePrincipal" ;;
    *)
      # Not an object id: perhaps an application's client id (what a SIEM's owner usually knows).
      principal_id="$(az ad sp show --id "$principal" --query id -o tsv 2>/dev/null || true)"
      kind="servicePrincipal"
      if [[ -z "$principal_id" ]]; then
        echo "${principal} is neither a user, a group nor a service principal (nor an application with one) in this tenant" >&2
        exit 2
      fi
      ;;
  esac
else
  echo "${principal}: give a user's sign-in name, an object id or an application's client id" >&2
  exit 2
fi

# Idempotence: look among the principal's own assignments (few) for this role on this API.
case "$kind" in
  user) collection="users" ;;
  group) collection="groups" ;;
  servicePrincipal) collection="servicePrincipals" ;;
esac
url="${graph}/v1.0/${collection}/${principal_id}/appRoleAssignments"
while [[ -n "$url" ]]; do
  existing="$(az rest --method get --url "$url" \
    --query "length(value[?resourceId=='${resource_id}' && appRoleId=='${app_role_id}'])" -o tsv)"
  if [[ "$existing" != "0" ]]; then
    echo "${principal} already has ${role} on the wiscan API."
    exit 0
  fi
  url="$(az rest --method get --url "$url" --query "\"@odata.nextLink\" || ''" -o tsv)"
done

az rest --method post \
  --url "${graph}/v1.0/servicePrincipals/${resource_id}/appRoleAssignedTo" \
  --headers "Content-Type=application/json" \
  --body "{\"principalId\":\"${principal_id}\",\"resourceId\":\"${resource_id}\",\"appRoleId\":\"${app_role_id}\"}" \
  --output none
echo "Gave ${role} on the wiscan API to ${principal} (${kind} ${principal_id})."
if [[ "$kind" == "group" ]]; then
  echo "Members of nested groups do not inherit it: assign the group whose members are the callers."
fi
