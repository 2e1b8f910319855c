#!/usr/bin/env bash
# azd postprovision hook: the grants Bicep cannot make. Each step reports and
# moves on when the signed-in user lacks the directory or management-group
# rights; docs/deploy.md says who must run what.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
status=0

if ! "${here}/grant-graph-permission.sh" "${SCANNER_PRINCIPAL_ID:?SCANNER_PRINCIPAL_ID is not set; run azd provision first}"; then
  echo "warning: Microsoft Graph Application.Read.All was not granted. App registrations will be reported as" >&2
  echo "         scan.forbidden until an administrator runs: infra/scripts/grant-graph-permission.sh ${SCANNER_PRINCIPAL_ID}" >&2
  status=1
fi

if [[ -n "${SCAN_MANAGEMENT_GROUP:-}" ]]; then
  if ! "${here}/grant-management-group-access.sh" "$SCAN_MANAGEMENT_GROUP" "$SCANNER_PRINCIPAL_ID"; then
    echo "warning: access in management group ${SCAN_MANAGEMENT_GROUP} was not granted; see docs/deploy.md." >&2
    status=1
  fi
fi

# The console: browsers sign in through the API's registration (docs/console.md).
api_client_id="${WISCAN_API_APPLICATION_ID_URI#api://}"
app_host="${FINDINGS_API_BASE_URL#https://}"
app_host="${app_host%%/*}"
if [[ -n "$api_client_id" && -n "$app_host" ]]; then
  if ! "${here}/enable-console-sign-in.sh" "$api_client_id" "$app_host"; then
    echo "warning: browser sign-in to the console was not enabled (the API works). The registration's owner can run:" >&2
    echo "         infra/scripts/enable-console-sign-in.sh ${api_client_id} ${app_host}" >&2
    status=1
  fi
fi

cat <<NEXT

Clusters with Entra ID integration and Kubernetes RBAC (not Azure RBAC) also need the
in-cluster read-only role, applied once per cluster by someone who administers it:

  infra/kubernetes/apply.sh <kube-context> ${SCANNER_PRINCIPAL_ID}

NEXT
exit "$status"
