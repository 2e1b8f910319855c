#!/usr/bin/env bash
# Applies the scanner's read-only ClusterRole and binding to one cluster
# (Entra ID integration with Kubernetes RBAC), bound to the scanner's object id.
#
# Usage: infra/kubernetes/apply.sh <kube-context> <scanner-object-id> [--with-probe]
#   --with-probe  also applies probe.yaml (only for clusters in PROBE_SCOPES)
set -euo pipefail

context="${1:-}"
object_id="${2:-${SCANNER_PRINCIPAL_ID:-}}"
with_probe="${3:-}"
here="$(cd "$(dirname "$0")" && pwd)"

if [[ -z "$context" || -z "$object_id" ]]; then
  echo "usage: $0 <kube-context> <scanner-object-id> [--with-probe]" >&2
  exit 2
fi
if [[ ! "$object_id" =~ ^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$ ]]; then
  echo "the scanner object id must be a GUID (azd env get-value SCANNER_PRINCIPAL_ID)" >&2
  exit 2
fi

files=("${here}/scanner-reader.yaml")
[[ "$with_probe" == "--with-probe" ]] && files+=("${here}/probe.yaml")

for file in "${files[@]}"; do
  sed "s/SCANNER_OBJECT_ID/${object_id}/g" "$file" | kubectl --context "$context" apply -f -
done
