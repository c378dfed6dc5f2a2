// A new Azure OpenAI account (used when no existing account is passed to main.bicep).
// A plain resource rather than an AVM module: one resource with a handful of properties.
// Keys are disabled: the app uses Entra ID tokens from its managed identity. Fine-tuned models
// are deployed by the app itself (ARM), so no model deployment is declared here.
param name string
param location string = resourceGroup().location
param tags object = {}

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  // checkov:skip=CKV_AZURE_134: the app runs on Flex Consumption without a VNet and calls this account over its public endpoint; disabling public access needs a VNet, a private endpoint and private DNS that this template does not create. Access is Entra ID only (disableLocalAuth), by role. docs/deploy.md
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
  }
  // The account's own identity (CKV_AZURE_238): what it uses when it calls other Azure
  // resources, e.g. customer-managed keys. It grants the account nothing by itself.
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    // A custom subdomain is required for Entra ID authentication.
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

output name string = account.name
output endpoint string = account.properties.endpoint
