// The function app: Flex Consumption, Python 3.11, the user-assigned identity only.
// Every app setting comes from main.bicep (one place, checked by tests/unit/infra).
param name string
param location string = resourceGroup().location
param tags object = {}
@description('azd deploys the service of this name (azure.yaml) to the app tagged with it.')
param serviceName string
param appServicePlanId string
@description('Blob endpoint of the storage account, with a trailing slash.')
param storageBlobEndpoint string
param deploymentContainerName string
@description('Resource id of the user-assigned managed identity.')
param identityId string
param appSettings object
param instanceMemoryMB int = 2048
param maximumInstanceCount int = 100

module site 'br/public:avm/res/web/site:0.15.1' = {
  name: '${serviceName}-flex-consumption'
  params: {
    kind: 'functionapp,linux'
    name: name
    location: location
    tags: union(tags, { 'azd-service-name': serviceName })
    serverFarmResourceId: appServicePlanId
    managedIdentities: {
      systemAssigned: false
      userAssignedResourceIds: [identityId]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: '3.11'
      }
    }
    siteConfig: {
      alwaysOn: false
    }
    appSettingsKeyValuePairs: appSettings
  }
}

output name string = site.outputs.name
output baseUrl string = 'https://${site.outputs.defaultHostname}'
