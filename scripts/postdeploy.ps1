# azd postdeploy hook (Windows): subscribes the app's blob trigger (source EventGrid) to
# BlobCreated events of the datasets container. Same steps as postdeploy.sh; see there.
$ErrorActionPreference = 'Stop'

if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
  Write-Error 'The Azure CLI (az) is required to create the Event Grid subscription; see docs/deploy.md'
  exit 1
}

# azd passes its environment to hooks; load it when the script is run by hand.
if (-not $env:AZURE_FUNCTION_APP_NAME) {
  foreach ($line in (& azd env get-values)) {
    if ($line -match '^([^=]+)=(.*)$') {
      [Environment]::SetEnvironmentVariable($matches[1], ($matches[2] -replace '^"|"$'))
    }
  }
}

$key = ''
for ($attempt = 1; -not $key; $attempt++) {
  $key = az functionapp keys list --name $env:AZURE_FUNCTION_APP_NAME --resource-group $env:AZURE_RESOURCE_GROUP `
    --query 'systemKeys.blobs_extension' --output tsv 2>$null
  if (-not $key) {
    if ($attempt -ge 20) {
      Write-Error "The app has no blobs_extension key yet: check that $env:BLOB_TRIGGER_FUNCTION_NAME is deployed, then run 'azd hooks run postdeploy'"
      exit 1
    }
    Write-Host "Waiting for the function host to index the blob trigger ($attempt/20)..."
    Start-Sleep -Seconds 15
  }
}

# The key is part of the URL: never print it. The extra quotes keep '&' away from az.cmd's
# command-line parsing on Windows (as in the azd eventgrid-blob quickstart).
$endpoint = '"' + $env:SERVICE_API_BASE_URL + '/runtime/webhooks/blobs?functionName=Host.Functions.' +
  $env:BLOB_TRIGGER_FUNCTION_NAME + '&code=' + $key + '"'
$subject = '/blobServices/default/containers/' + $env:DATASETS_CONTAINER + '/blobs/'

az eventgrid system-topic event-subscription create `
  --name datasets-blob-created `
  --resource-group $env:AZURE_RESOURCE_GROUP `
  --system-topic-name $env:EVENT_GRID_SYSTEM_TOPIC_NAME `
  --endpoint-type webhook `
  --endpoint $endpoint `
  --included-event-types Microsoft.Storage.BlobCreated `
  --subject-begins-with $subject `
  --output none
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

Write-Host "Event Grid: BlobCreated in '$env:DATASETS_CONTAINER' now starts $env:BLOB_TRIGGER_FUNCTION_NAME."
