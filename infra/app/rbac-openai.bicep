// The app identity's role on the one Azure OpenAI account, for an account this deployment
// creates. For an existing account scripts/postprovision.* grants the same role.
param openAiAccountName string
@description('Principal id of the function app\'s user-assigned identity.')
param identityPrincipalId string

// Cognitive Services OpenAI Contributor, the app's only role here: the data plane (files,
// fine-tuning jobs, chat completions) and, in the control plane, accounts/deployments/write and
// /delete, which is all the app does through ARM. Cognitive Services Contributor is not granted:
// it would also allow listing the account's keys and deleting the account (least privilege).
var cognitiveServicesOpenAiContributor = 'a001fd3d-188f-4b5d-821b-7da978bf7442'

resource openAiAccount 'Microsoft.CognitiveServices/accounts@2024-10-01' existing = {
  name: openAiAccountName
}

resource identityOnOpenAi 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(openAiAccount.id, identityPrincipalId, cognitiveServicesOpenAiContributor)
  scope: openAiAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cognitiveServicesOpenAiContributor)
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
  }
}
