// A new Azure OpenAI account (used when no existing account is passed to main.bicep).
// A plain resource rather than an AVM module: one resource with a handful of properties.
// Keys are disabled: the app uses Entra ID tokens from its managed identity. Fine-tuned models
// are deployed by the app itself (ARM), so no model deployment is declared here.
param name string
param location string = resourceGroup().location
param tags object = {}

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'OpenAI'
  sku: {
    name: 'S0'
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
