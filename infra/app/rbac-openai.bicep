// The app identity's roles on the one Azure OpenAI account, for an account this deployment
// creates. For an existing account scripts/postprovision.* grants the same two roles.
param openAiAccountName string
@description('Principal id of the function app\'s user-assigned identity.')
param identityPrincipalId string

// Cognitive Services OpenAI Contributor: data plane (files, fine-tuning jobs, chat completions).
var cognitiveServicesOpenAiContributor = 'a001fd3d-188f-4b5d-821b-7da978bf7442'
// Cognitive Services Contributor: control plane, to create the fine-tuned model's deployment.
var cognitiveServicesContributor = '25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68'

resource openAiAccount 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: openAiAccountName
}

resource identityOnOpenAi 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for roleId in [cognitiveServicesOpenAiContributor, cognitiveServicesContributor]: {
  name: guid(openAiAccount.id, identityPrincipalId, roleId)
  scope: openAiAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}]
