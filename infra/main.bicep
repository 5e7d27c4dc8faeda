// The passkey service on Azure: Function App (Node 20, Functions v4), Cosmos DB (serverless),
// Storage (durable task hub), Service Bus (topic passkey-events), Key Vault, Application Insights.
targetScope = 'resourceGroup'

@description('Short name used to derive resource names.')
param name string = 'passkeys${uniqueString(resourceGroup().id)}'
param location string = resourceGroup().location
@description('Entra tenant whose access tokens the admin API accepts.')
param tenantId string
@description('Audience (App ID URI) of the admin API registration in Entra.')
param apiAudience string
@description('WebAuthn relying party id, e.g. login.contoso.com.')
param rpId string
@description('Comma-separated origins of the sign-in frontends.')
param origins string
param rpName string = 'Contoso'

var cosmosContainers = [
  { name: 'policies', pk: '/id' }
  { name: 'users', pk: '/id' }
  { name: 'userUpns', pk: '/id' }
  { name: 'groups', pk: '/id' }
  { name: 'memberships', pk: '/userId' }
  { name: 'audit', pk: '/id' }
  { name: 'credentials', pk: '/id' }
  { name: 'consumedChallenges', pk: '/id' }
  { name: 'provisioningJobs', pk: '/id' }
  { name: 'provisioningJobUsers', pk: '/jobId' }
  { name: 'webhookSubscriptions', pk: '/id' }
  { name: 'webhookDeliveries', pk: '/subscriptionId' }
  { name: 'leases', pk: '/id' }
  { name: 'meta', pk: '/id' }
  { name: 'roleAssignments', pk: '/principalId' }
]
// One per consumer, as shared/eventTopology.ts declares them (test/unit/infra/bicep.test.ts compares).
var eventSubscriptions = [
  { name: 'webhooks', maxDeliveryCount: 8 }
  { name: 'reenrolment', maxDeliveryCount: 5 }
]

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take(toLower(replace(name, '-', '')), 24)
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: { minimumTlsVersion: 'TLS1_2', allowBlobPublicAccess: false, supportsHttpsTrafficOnly: true }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-ai'
  location: location
  kind: 'web'
  properties: { Application_Type: 'web' }
}

resource cosmos 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: '${name}-cosmos'
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [ { locationName: location, failoverPriority: 0 } ]
    capabilities: [ { name: 'EnableServerless' } ]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    disableLocalAuth: false
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: cosmos
  name: 'passkeys'
  properties: { resource: { id: 'passkeys' } }
}

resource containers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [for c in cosmosContainers: {
  parent: database
  name: c.name
  properties: {
    resource: {
      id: c.name
      partitionKey: { paths: [ c.pk ], kind: 'Hash' }
      defaultTtl: c.name == 'consumedChallenges' ? -1 : null
    }
  }
}]

resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: '${name}-sb'
  location: location
  sku: { name: 'Standard', tier: 'Standard' }
}

resource topic 'Microsoft.ServiceBus/namespaces/topics@2022-10-01-preview' = {
  parent: serviceBus
  name: 'passkey-events'
  properties: { requiresDuplicateDetection: true, duplicateDetectionHistoryTimeWindow: 'PT10M' }
}

resource subscriptions 'Microsoft.ServiceBus/namespaces/topics/subscriptions@2022-10-01-preview' = [for s in eventSubscriptions: {
  parent: topic
  name: s.name
  properties: { maxDeliveryCount: s.maxDeliveryCount, deadLetteringOnMessageExpiration: true, lockDuration: 'PT1M' }
}]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('${name}-kv', 24)
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
  }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${name}-plan'
  location: location
  sku: { name: 'Y1', tier: 'Dynamic' }
  kind: 'functionapp'
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: '${name}-func'
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      linuxFxVersion: 'Node|20'
      minTlsVersion: '1.2'
      cors: { allowedOrigins: split(origins, ',') }
      appSettings: [
        { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
        { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'node' }
        { name: 'AzureWebJobsStorage', value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};AccountKey=${storage.listKeys().keys[0].value};EndpointSuffix=${environment().suffixes.storage}' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'COSMOS_ENDPOINT', value: cosmos.properties.documentEndpoint }
        { name: 'COSMOS_KEY', value: cosmos.listKeys().primaryMasterKey }
        { name: 'COSMOS_DATABASE', value: 'passkeys' }
        // The change-feed trigger (outbox relay on the audit container) reads this connection string.
        { name: 'COSMOS_CONNECTION', value: 'AccountEndpoint=${cosmos.properties.documentEndpoint};AccountKey=${cosmos.listKeys().primaryMasterKey};' }
        { name: 'SERVICEBUS_CONNECTION', value: listKeys('${serviceBus.id}/AuthorizationRules/RootManageSharedAccessKey', serviceBus.apiVersion).primaryConnectionString }
        { name: 'ENTRA_TENANT_ID', value: tenantId }
        { name: 'ENTRA_AUDIENCE', value: apiAudience }
        { name: 'API_AUDIENCE', value: apiAudience }
        { name: 'RP_ID', value: rpId }
        { name: 'RP_NAME', value: rpName }
        { name: 'ORIGINS', value: origins }
        { name: 'TOKEN_ISSUER', value: 'https://${name}-func.azurewebsites.net' }
        { name: 'SEED_DEMO_TENANT', value: 'false' }
        { name: 'SIGNING_KEY_JWK', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=signing-key-jwk)' }
        { name: 'SERVER_SECRET', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=server-secret)' }
        { name: 'DATA_DIR', value: '/tmp/passkeys' }
      ]
    }
  }
}

// The Function App reads its secrets from Key Vault with its managed identity (Key Vault Secrets User).
resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, site.id, 'secrets-user')
  scope: vault
  properties: {
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
  }
}

output functionAppName string = site.name
output serviceUrl string = 'https://${site.properties.defaultHostName}'
