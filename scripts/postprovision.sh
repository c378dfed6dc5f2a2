#!/bin/sh
# azd postprovision hook: when main.bicep was given an EXISTING Azure OpenAI account, grants the
# app's identity its two roles on that one account. (Bicep does this itself for an account it
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

# Cognitive Services OpenAI Contributor: data plane (files, fine-tuning jobs, chat completions).
# Cognitive Services Contributor: control plane, to create the fine-tuned model's deployment.
for role in a001fd3d-188f-4b5d-821b-7da978bf7442 25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68; do
  az role assignment create \
    --assignee-object-id "$AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID" \
    --assignee-principal-type ServicePrincipal \
    --role "$role" \
    --scope "$AZURE_OPENAI_ACCOUNT_ID" \
    --output none
done
echo "Granted the app's identity its roles on $AZURE_OPENAI_ACCOUNT_NAME."
