#!/bin/sh
# azd postdeploy hook: subscribes the app's blob trigger (source EventGrid) to BlobCreated
# events of the datasets container, through the Event Grid system topic on the storage account.
# The webhook is the blob extension's endpoint, authorised by its blobs_extension system key,
# which exists only once the deployed code has been indexed; hence a hook, not Bicep.
# Safe to run again: the subscription is created or updated in place.
set -eu

if ! command -v az >/dev/null 2>&1; then
  echo "error: the Azure CLI (az) is required to create the Event Grid subscription; see docs/deploy.md" >&2
  exit 1
fi

# azd passes its environment to hooks; load it when the script is run by hand.
if [ -z "${AZURE_FUNCTION_APP_NAME:-}" ]; then
  eval "$(azd env get-values)"
fi

key=""
attempt=0
while [ -z "$key" ]; do
  key=$(az functionapp keys list --name "$AZURE_FUNCTION_APP_NAME" --resource-group "$AZURE_RESOURCE_GROUP" \
    --query "systemKeys.blobs_extension" --output tsv 2>/dev/null || true)
  if [ -z "$key" ]; then
    attempt=$((attempt + 1))
    if [ "$attempt" -ge 20 ]; then
      echo "error: the app has no blobs_extension key yet: check that $BLOB_TRIGGER_FUNCTION_NAME is deployed, then run 'azd hooks run postdeploy'" >&2
      exit 1
    fi
    echo "Waiting for the function host to index the blob trigger ($attempt/20)..."
    sleep 15
  fi
done

# The key is part of the URL: never print it.
endpoint="${SERVICE_API_BASE_URL}/runtime/webhooks/blobs?functionName=Host.Functions.${BLOB_TRIGGER_FUNCTION_NAME}&code=${key}"
subject="/blobServices/default/containers/${DATASETS_CONTAINER}/blobs/"

az eventgrid system-topic event-subscription create \
  --name datasets-blob-created \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --system-topic-name "$EVENT_GRID_SYSTEM_TOPIC_NAME" \
  --endpoint-type webhook \
  --endpoint "$endpoint" \
  --included-event-types Microsoft.Storage.BlobCreated \
  --subject-begins-with "$subject" \
  --output none

echo "Event Grid: BlobCreated in '$DATASETS_CONTAINER' now starts $BLOB_TRIGGER_FUNCTION_NAME."
