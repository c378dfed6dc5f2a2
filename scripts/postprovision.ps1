# azd postprovision hook (Windows): when main.bicep was given an EXISTING Azure OpenAI account,
# grants the app's identity its role on that one account. See postprovision.sh for why.
$ErrorActionPreference = 'Stop'

if (-not $env:AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID) {
  foreach ($line in (& azd env get-values)) {
    if ($line -match '^([^=]+)=(.*)$') {
      [Environment]::SetEnvironmentVariable($matches[1], ($matches[2] -replace '^"|"$'))
    }
  }
}

if ($env:AZURE_OPENAI_CREATED -ne 'false') {
  exit 0  # the roles were assigned by infra/app/rbac-openai.bicep
}

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  Write-Error 'The Azure CLI (az) is required to grant roles on the existing Azure OpenAI account'
  exit 1
}

# Cognitive Services OpenAI Contributor: the data plane (files, fine-tuning jobs, chat completions)
# and deployments write/delete, all the app needs (see infra/app/rbac-openai.bicep).
az role assignment create `
  --assignee-object-id $env:AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID `
  --assignee-principal-type ServicePrincipal `
  --role 'a001fd3d-188f-4b5d-821b-7da978bf7442' `
  --scope $env:AZURE_OPENAI_ACCOUNT_ID `
  --output none
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
Write-Host "Granted the app's identity its role on $env:AZURE_OPENAI_ACCOUNT_NAME."
