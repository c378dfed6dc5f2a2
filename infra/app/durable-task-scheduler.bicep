// The Durable Task Scheduler backend, deployed when main.bicep's durableBackend is
// 'DurableTaskScheduler': a scheduler, the app's task hub, and the roles on them.
// The app reaches it over gRPC/TLS with its user-assigned identity (no keys); main.bicep sets the
// connection settings and switches the host's storage provider to azureManaged (docs/deploy.md).
// API version and SKU names: Microsoft.DurableTask stable 2025-11-01 (azure-rest-api-specs).
param name string
param location string = resourceGroup().location
param tags object = {}
@allowed(['Consumption', 'Dedicated'])
@description('Consumption: billed per action, up to 500 actions/s. Dedicated: billed per capacity unit of 2,000 actions/s.')
param skuName string
@minValue(1)
@maxValue(3)
@description('Capacity units of a Dedicated scheduler (3 for high availability). Not sent for Consumption.')
param capacity int = 1
@description('The task hub the app uses: the hubName of host.json.')
param taskHubName string
@description('Principal id of the function app\'s user-assigned identity.')
param identityPrincipalId string
@description('Object id of the person deploying (optional), to read runs in the scheduler\'s dashboard.')
param userPrincipalId string = ''
param userPrincipalType string = 'User'

// Durable Task Data Contributor: all data-plane operations (the host's worker and client).
var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402'
// Durable Task Data Reader: read orchestrations (the dashboard), nothing else.
var durableTaskDataReader = 'd6a5505f-6ebb-45a4-896e-ac8274cfc0ac'

var dedicatedSku = {
  name: 'Dedicated'
  capacity: capacity
}
var consumptionSku = {
  name: 'Consumption'
}

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // The app has no VNet and reaches the public endpoint; access is by Entra ID role only.
    // An empty list would deny every caller.
    ipAllowlist: ['0.0.0.0/0']
    sku: (skuName == 'Dedicated') ? dedicatedSku : consumptionSku
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource identityOnScheduler 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(scheduler.id, identityPrincipalId, durableTaskDataContributor)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource userOnScheduler 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(userPrincipalId)) {
  name: guid(scheduler.id, userPrincipalId, durableTaskDataReader)
  scope: scheduler
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataReader)
    principalId: userPrincipalId
    principalType: userPrincipalType
  }
}

output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
output dashboardUrl string = taskHub.properties.dashboardUrl
