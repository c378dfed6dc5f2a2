// The fine-tuning pipeline on Azure, deployed with `azd up` (see docs/deploy.md).
// Layout follows the azd Functions quickstarts: a subscription-scoped main file, Azure Verified
// Modules (br/public:avm/...) where they fit, small local modules in app/, UPPER_SNAKE outputs
// that azd stores in the environment. NOT compiled here (no Bicep compiler on the build machines).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; all resource names are derived from it.')
param environmentName string

@minLength(1)
@description('Region of the function app and its storage; it must offer Flex Consumption.')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Region of a new Azure OpenAI account: one where fine-tuning of your base model is offered. Empty: same as location.')
param openAiLocation string = ''

@description('Name of an existing Azure OpenAI account to use instead of creating one. Empty: create one.')
param existingOpenAiAccountName string = ''

@description('Resource group of that existing account. Empty: the app\'s resource group.')
param existingOpenAiResourceGroupName string = ''

// azd passes the signed-in principal from its environment (main.parameters.json), as the azd
// templates do; deployer() would tie the template to a newer Bicep than the tools that read it.
@description('Object id of the person deploying (azd: AZURE_PRINCIPAL_ID), given Storage Blob Data Contributor to upload datasets. Empty: nobody.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
@description('Kind of principal principalId names (azd: AZURE_PRINCIPAL_TYPE; ServicePrincipal when azd runs as one).')
param principalType string = 'User'

@description('Container watched for datasets (setting DATASETS_CONTAINER).')
param datasetsContainerName string = 'datasets'

@description('Container the reports are written to (setting REPORTS_CONTAINER).')
param reportsContainerName string = 'reports'

@allowed(['AzureStorage', 'DurableTaskScheduler'])
@description('Durable Functions backend: AzureStorage (queues and tables in the storage account) or DurableTaskScheduler (a managed scheduler). docs/deploy.md says which to pick.')
param durableBackend string = 'AzureStorage'

@allowed(['Consumption', 'Dedicated'])
@description('SKU of the Durable Task Scheduler (durableBackend DurableTaskScheduler only).')
param durableTaskSchedulerSku string = 'Consumption'

@minValue(1)
@maxValue(3)
@description('Capacity units of a Dedicated Durable Task Scheduler (3 for high availability).')
param durableTaskSchedulerCapacity int = 1

var abbrs = loadJsonContent('./abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var resourceGroupName = '${abbrs.resourcesResourceGroups}${environmentName}'
var functionAppName = '${abbrs.webSitesFunctions}api-${resourceToken}'
var storageAccountName = '${abbrs.storageStorageAccounts}${resourceToken}'
// Flex Consumption pulls the app package from this container, with the managed identity.
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(resourceToken, 7)}'
var storageSuffix = environment().suffixes.storage

// The blob-trigger function that the Event Grid subscription (scripts/postdeploy.*) calls.
// tests/unit/infra checks it against the app's blob trigger in function_app.py.
var blobTriggerFunctionName = 'dataset_blob_starter'

var createOpenAi = empty(existingOpenAiAccountName)
var openAiAccountName = createOpenAi ? '${abbrs.cognitiveServicesAccounts}${resourceToken}' : existingOpenAiAccountName
var openAiResourceGroupName = createOpenAi || empty(existingOpenAiResourceGroupName) ? resourceGroupName : existingOpenAiResourceGroupName

var useDurableTaskScheduler = durableBackend == 'DurableTaskScheduler'
// One task hub name for both backends: the one host.json gives the host.
var taskHubName = loadJsonContent('../host.json').extensions.durableTask.hubName

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

// The app's only identity: storage, Azure OpenAI and ARM are all reached with it (no keys).
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.4.1' = {
  name: 'identity'
  scope: rg
  params: {
    name: '${abbrs.managedIdentityUserAssignedIdentities}api-${resourceToken}'
    location: location
    tags: tags
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.1.1' = {
  name: 'plan'
  scope: rg
  params: {
    name: '${abbrs.webServerFarms}${resourceToken}'
    sku: {
      name: 'FC1'
      tier: 'FlexConsumption'
    }
    reserved: true
    location: location
    tags: tags
  }
}

module storage 'app/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: storageAccountName
    location: location
    tags: tags
    containerNames: [deploymentContainerName, datasetsContainerName, reportsContainerName]
  }
}

module eventGrid 'app/eventgrid.bicep' = {
  name: 'eventgrid'
  scope: rg
  params: {
    name: '${abbrs.eventGridSystemTopics}${resourceToken}'
    location: location
    tags: tags
    storageAccountId: storage.outputs.resourceId
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
    location: location
    tags: tags
  }
}

module durableTaskScheduler 'app/durable-task-scheduler.bicep' = if (useDurableTaskScheduler) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: '${abbrs.durableTaskSchedulers}${resourceToken}'
    location: location
    tags: tags
    skuName: durableTaskSchedulerSku
    capacity: durableTaskSchedulerCapacity
    taskHubName: taskHubName
    identityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module openAi 'app/openai.bicep' = if (createOpenAi) {
  name: 'openai'
  scope: rg
  params: {
    name: openAiAccountName
    location: empty(openAiLocation) ? location : openAiLocation
    tags: tags
  }
}

// An account passed as parameters is only read here: nothing is deployed into its resource
// group (azd down deletes the groups a deployment touched); scripts/postprovision.* grants its roles.
resource existingOpenAi 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = if (!createOpenAi) {
  name: openAiAccountName
  scope: resourceGroup(openAiResourceGroupName)
}

var openAiEndpoint = createOpenAi ? openAi.outputs.endpoint : existingOpenAi.properties.endpoint

// App settings: names exactly as shared/settings.py reads them, plus platform settings.
// No keys or secrets: every service is reached with the managed identity.
var appSettings = {
  // Storage by identity, for the host (Durable Task, blob trigger) and the app.
  AzureWebJobsStorage__blobServiceUri: 'https://${storageAccountName}.blob.${storageSuffix}'
  AzureWebJobsStorage__queueServiceUri: 'https://${storageAccountName}.queue.${storageSuffix}'
  AzureWebJobsStorage__tableServiceUri: 'https://${storageAccountName}.table.${storageSuffix}'
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  // Telemetry with Entra ID (local auth is disabled on Application Insights).
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
  // The pipeline.
  DATASETS_CONTAINER: datasetsContainerName
  REPORTS_CONTAINER: reportsContainerName
  AZURE_OPENAI_ENDPOINT: openAiEndpoint
  AZURE_SUBSCRIPTION_ID: subscription().subscriptionId
  AZURE_RESOURCE_GROUP: openAiResourceGroupName
  AZURE_OPENAI_ACCOUNT_NAME: openAiAccountName
  // DefaultAzureCredential picks the user-assigned identity by this client id.
  AZURE_CLIENT_ID: identity.outputs.clientId
}

// With the Durable Task Scheduler, these settings override host.json's durableTask storage
// provider (AzureFunctionsJobHost__<path> replaces that host.json value): the repository's
// host.json stays on Azure Storage, which the local stack and the default deployment use.
var durableTaskSchedulerSettings = useDurableTaskScheduler ? {
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
  AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskScheduler.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${identity.outputs.clientId}'
  TASKHUB_NAME: durableTaskScheduler.outputs.taskHubName
} : {}

module api 'app/function.bicep' = {
  name: 'api'
  scope: rg
  params: {
    name: functionAppName
    location: location
    tags: tags
    serviceName: 'api'
    appServicePlanId: plan.outputs.resourceId
    storageBlobEndpoint: 'https://${storageAccountName}.blob.${storageSuffix}/'
    deploymentContainerName: deploymentContainerName
    identityId: identity.outputs.resourceId
    appSettings: union(appSettings, durableTaskSchedulerSettings)
  }
  dependsOn: [storage]
}

module rbac 'app/rbac.bicep' = {
  name: 'rbac'
  scope: rg
  params: {
    storageAccountName: storage.outputs.name
    datasetsContainerName: datasetsContainerName
    reportsContainerName: reportsContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    identityPrincipalId: identity.outputs.principalId
    userPrincipalId: principalId
    userPrincipalType: principalType
  }
}

module rbacOpenAi 'app/rbac-openai.bicep' = if (createOpenAi) {
  name: 'rbac-openai'
  scope: rg
  params: {
    openAiAccountName: openAi.outputs.name
    identityPrincipalId: identity.outputs.principalId
  }
}

// Outputs: azd stores them in .azure/<env>/.env; the hooks in scripts/ read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output SERVICE_API_NAME string = api.outputs.name
output SERVICE_API_BASE_URL string = api.outputs.baseUrl
output AZURE_FUNCTION_IDENTITY_PRINCIPAL_ID string = identity.outputs.principalId
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output DATASETS_CONTAINER string = datasetsContainerName
output REPORTS_CONTAINER string = reportsContainerName
output EVENT_GRID_SYSTEM_TOPIC_NAME string = eventGrid.outputs.name
output BLOB_TRIGGER_FUNCTION_NAME string = blobTriggerFunctionName
output AZURE_OPENAI_ENDPOINT string = openAiEndpoint
output AZURE_OPENAI_ACCOUNT_NAME string = openAiAccountName
output AZURE_OPENAI_RESOURCE_GROUP string = openAiResourceGroupName
output AZURE_OPENAI_ACCOUNT_ID string = resourceId(subscription().subscriptionId, openAiResourceGroupName, 'Microsoft.CognitiveServices/accounts', openAiAccountName)
output AZURE_OPENAI_CREATED bool = createOpenAi
output APPLICATIONINSIGHTS_CONNECTION_STRING string = monitoring.outputs.connectionString
output DURABLE_BACKEND string = durableBackend
output DURABLE_TASK_SCHEDULER_DASHBOARD_URL string = useDurableTaskScheduler ? durableTaskScheduler.outputs.dashboardUrl : ''
