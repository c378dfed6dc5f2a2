#!/bin/sh
# azd postprovision hook: when main.bicep was given an EXISTING Azure OpenAI account, grants the
# app's identity its role on that one account. (Bicep does this itself for an account it
# creates; it deploys nothing into an existing account's resource group, because `azd down`
# deletes every resource group a deployment touched.) Safe to run again.
set -eu

if [ -z "${AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID:-}" ]; then
  eval "$(azd env get-values)"
fi

if [ "${AZURE_OPENAI_CREATED:-true}" = "true" ]; then
  exit 0  # the roles were assigned by infra/app/rbac-openai.bicep
fi

if ! command -v az >/dev/null 2>&1; then
  echo "error: the Azure CLI (az) is required to grant roles on the existing Azure OpenAI account" >&2
  exit 1
fi

# Cognitive Services OpenAI Contributor: the data plane (files, fine-tuning jobs, chat completions)
# and deployments write/delete, all the app needs (see infra/app/rbac-openai.bicep).
az role assignment create \
  --assignee-object-id "$AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID" \
  --assignee-principal-type ServicePrincipal \
  --role a001fd3d-188f-4b5d-821b-7da978bf7442 \
  --scope "$AZURE_OPENAI_ACCOUNT_ID" \
  --output none
echo "Granted the app's identity its role on $AZURE_OPENAI_ACCOUNT_NAME."
