#!/usr/bin/env bash
# Gives the scanner its access in a management group (SCAN_MANAGEMENT_GROUPS):
# lists every subscription below the group, then deploys
# infra/access/management-group.bicep at the group. Run by the azd
# postprovision hook when SCAN_MANAGEMENT_GROUP is set; re-run it when
# subscriptions are added to the group.
#
# Usage: infra/scripts/grant-management-group-access.sh <management-group-id> <scanner-principal-object-id>
# Environment (optional): AZURE_ENV_NAME, AZURE_LOCATION, PROBE_SUBSCRIPTIONS, RUN_COMMAND_SUBSCRIPTIONS
# Needs: Owner or User Access Administrator on the management group.
set -euo pipefail

management_group="${1:-${SCAN_MANAGEMENT_GROUP:-}}"
principal_id="${2:-${SCANNER_PRINCIPAL_ID:-}}"
suffix="${AZURE_ENV_NAME:-wiscan}"
location="${AZURE_LOCATION:-westeurope}"
here="$(cd "$(dirname "$0")" && pwd)"

if [[ -z "$management_group" || -z "$principal_id" ]]; then
  echo "usage: $0 <management-group-id> <scanner-principal-object-id>" >&2
  exit 2
fi

arm="$(az cloud show --query endpoints.resourceManager -o tsv)"
arm="${arm%/}"

# Every subscription at any depth below the group, following nextLink pages.
subscriptions=()
url="${arm}/providers/Microsoft.Management/managementGroups/${management_group}/descendants?api-version=2020-05-01"
while [[ -n "$url" ]]; do
  while IFS= read -r id; do
    [[ -n "$id" ]] && subscriptions+=("$id")
  done < <(az rest --method get --url "$url" \
    --query "value[?type=='Microsoft.Management/managementGroups/subscriptions'].name" -o tsv)
  url="$(az rest --method get --url "$url" --query "nextLink || ''" -o tsv)"
done

if [[ ${#subscriptions[@]} -eq 0 ]]; then
  echo "No subscription below management group ${management_group}; nothing to grant." >&2
  exit 1
fi

json_array() {
  local IFS=,
  local items=()
  for value in "$@"; do [[ -n "$value" ]] && items+=("\"${value}\""); done
  printf '[%s]' "${items[*]:-}"
}
IFS=, read -r -a probe <<< "${PROBE_SUBSCRIPTIONS:-}"
IFS=, read -r -a run_command <<< "${RUN_COMMAND_SUBSCRIPTIONS:-}"

echo "Granting the scanner access in management group ${management_group} (${#subscriptions[@]} subscriptions)."
az deployment mg create \
  --name "wiscan-access-${suffix}" \
  --management-group-id "$management_group" \
  --location "$location" \
  --template-file "${here}/../access/management-group.bicep" \
  --parameters principalId="$principal_id" roleNameSuffix="$suffix" \
    subscriptionIds="$(json_array "${subscriptions[@]}")" \
    probeSubscriptionIds="$(json_array "${probe[@]:-}")" \
    runCommandSubscriptionIds="$(json_array "${run_command[@]:-}")" \
  --output none
echo "Done."
