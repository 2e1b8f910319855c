#!/usr/bin/env bash
# Lets people sign in to the web console in a browser (docs/console.md,
# "Signing in"): App Service Authentication signs a browser in through the
# API's app registration with the OpenID Connect implicit flow (an ID token
# only; the app holds no client secret), which needs the registration to
# accept the app's callback URL and to issue ID tokens. The ID token carries
# the user's app roles, as the access tokens of API callers do.
#   enable-console-sign-in.sh <api client id> <function app host name>
# Needs to own the registration (or Application Administrator). Idempotent.
set -euo pipefail
app_id="${1:?usage: enable-console-sign-in.sh <api client id> <function app host name>}"
host="${2:?usage: enable-console-sign-in.sh <api client id> <function app host name>}"
if [[ ! "$host" =~ ^[A-Za-z0-9.-]+$ ]]; then
  echo "not a host name: ${host}" >&2
  exit 2
fi
az ad app update --id "$app_id" \
  --web-redirect-uris "https://${host}/.auth/login/aad/callback" \
  --enable-id-token-issuance true --output none
echo "Console sign-in enabled: https://${host}/.auth/login/aad?post_login_redirect_uri=/api/console"
