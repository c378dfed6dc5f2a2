// The storage account: the host's storage (Durable Task hub, blob-trigger bookkeeping), the
// deployment package container, and the datasets + reports containers. Shared keys are
// disabled: the app and the host reach it with the managed identity only.
param name string
param location string = resourceGroup().location
param tags object = {}
@description('Blob containers to create (deployment package, datasets, reports).')
param containerNames array

module account 'br/public:avm/res/storage/storage-account:0.8.3' = {
  name: 'storage-account'
  params: {
    name: name
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    dnsEndpointType: 'Standard'
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [for containerName in containerNames: { name: containerName }]
    }
  }
}

output name string = account.outputs.name
output resourceId string = account.outputs.resourceId
