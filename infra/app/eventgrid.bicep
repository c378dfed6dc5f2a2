// The Event Grid system topic on the storage account. Its subscription (BlobCreated in the
// datasets container -> the blob extension's webhook) is created by scripts/postdeploy.*,
// as in the azd eventgrid-blob quickstart: the webhook needs the blobs_extension system key,
// which exists only once the app's code is deployed.
param name string
param location string = resourceGroup().location
param tags object = {}
param storageAccountId string

module topic 'br/public:avm/res/event-grid/system-topic:0.6.1' = {
  name: 'system-topic'
  params: {
    name: name
    location: location
    tags: tags
    source: storageAccountId
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = topic.outputs.name
