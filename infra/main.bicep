// The passkey service on Azure: Function App on Flex Consumption (Node 20, Functions v4), Cosmos DB
// (serverless), Storage (durable task hub, deployment package), Service Bus (topic passkey-events),
// Key Vault, Application Insights. No keys: every client authenticates with the app's system-assigned
// identity (DefaultAzureCredential in the code, identity-based connections in the host), local auth is
// off on Storage, Cosmos DB and Service Bus, and the role assignments at the end grant what each client does.
// test/unit/infra/bicep.test.ts holds this file to the code.
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
@description('Comma-separated related origins (WebAuthn related origin requests) that may also run ceremonies; empty for none.')
param relatedOrigins string = ''
param rpName string = 'Contoso'
@description('Directory of record: embedded (the store\'s users and groups) or entra (the tenant, read through Microsoft Graph with the app\'s identity)')
@allowed(['embedded', 'entra'])
param directory string = 'embedded'
@description('FIDO metadata (MDS3) blob the daily refresh downloads and caches in the fido-metadata container; empty turns the refresh off.')
param fidoMdsUrl string = 'https://mds3.fidoalliance.org/'
@description('Most instances Flex Consumption may scale out to.')
param maximumInstanceCount int = 100
@description('Memory of one instance (MB): 2048 or 4096.')
param instanceMemoryMB int = 2048

// The containers of shared/adapters/cosmos/containers.cosmos.ts, plus `leases` (the outbox relay's
// change-feed leases). Declared here because the identity's data-plane role cannot create containers.
var cosmosContainers = [
  { name: 'policies', pk: '/id' }
  { name: 'users', pk: '/id' }
  { name: 'userUpns', pk: '/id' }
  { name: 'groups', pk: '/id' }
  { name: 'memberships', pk: '/userId' }
  { name: 'audit', pk: '/id' }
  { name: 'credentials', pk: '/id' }
  { name: 'consumedChallenges', pk: '/id', ttl: -1 }
  { name: 'provisioningJobs', pk: '/id' }
  { name: 'provisioningJobUsers', pk: '/jobId' }
  { name: 'webhookSubscriptions', pk: '/id' }
  { name: 'authenticationStrengths', pk: '/id' }
  { name: 'protectedResources', pk: '/id' }
  { name: 'webhookDeliveries', pk: '/subscriptionId' }
  { name: 'leases', pk: '/id' }
  { name: 'meta', pk: '/id' }
  { name: 'roleAssignments', pk: '/principalId' }
  { name: 'signIns', pk: '/id', ttl: -1 }
  { name: 'aaguidUsers', pk: '/aaGuid' }
]
// One per consumer, as shared/eventTopology.ts declares them (test/unit/infra/bicep.test.ts compares).
var eventSubscriptions = [
  { name: 'webhooks', maxDeliveryCount: 8 }
  { name: 'reenrolment', maxDeliveryCount: 5 }
]

// Built-in role definitions (ids are the same in every tenant).
var roles = {
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  // A Cosmos DB data-plane role (sqlRoleDefinitions), not an Azure RBAC role.
  cosmosDataContributor: '00000000-0000-0000-0000-000000000002'
}
var deploymentContainer = 'app-package'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take(toLower(replace(name, '-', '')), 24)
  location: location
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    supportsHttpsTrafficOnly: true
    // No account keys: the host and the durable task hub connect with the app's identity.
    allowSharedKeyAccess: false
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

// Flex Consumption deploys the app package from this container.
resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainer
}

// Bulk jobs through Azure Storage (functions/provisioningRequests.functions.ts): a job request per
// queue message, the refused ones with their reason in the poison queue, and users CSVs as blobs.
resource provisioningRequestsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'provisioning-requests'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource provisioningRequestsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'provisioning-requests'
}

resource provisioningRequestsPoisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2023-05-01' = {
  parent: queueService
  name: 'provisioning-requests-poison'
}

// Flex Consumption runs the blob trigger on Event Grid: the account's system topic. Its subscription
// to the function's `blobs` webhook is created after the code is deployed, since the webhook's key
// exists only then (README: deploy, "CSV uploads on Azure").
resource storageEvents 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: '${name}-storage-events'
  location: location
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// The verified FIDO metadata statements (FIDO_MDS_URL), read by every instance at start
// (shared/adapters/storage/metadataDocument.ts names it).
resource fidoMetadataContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: 'fido-metadata'
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
    // Entra ID only: the account keys cannot be used.
    disableLocalAuth: true
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
      // -1: TTL on without a default, only documents that carry a `ttl` expire.
      defaultTtl: contains(c, 'ttl') ? c.ttl : null
    }
  }
}]

resource serviceBus 'Microsoft.ServiceBus/namespaces@2022-10-01-preview' = {
  name: '${name}-sb'
  location: location
  sku: { name: 'Standard', tier: 'Standard' }
  // Entra ID only: no shared access key works, not even the namespace's root rule.
  properties: { disableLocalAuth: true, minimumTlsVersion: '1.2' }
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

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan'
  location: location
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  kind: 'functionapp'
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: '${name}-func'
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: maximumInstanceCount, instanceMemoryMB: instanceMemoryMB }
      // Flex Consumption takes the runtime from here (FUNCTIONS_WORKER_RUNTIME is not an app setting on it).
      runtime: { name: 'node', version: '20' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      // CORS allows what the ceremony origin check allows: ORIGINS and RELATED_ORIGINS.
      cors: { allowedOrigins: concat(split(origins, ','), empty(relatedOrigins) ? [] : split(relatedOrigins, ',')) }
      // One `{ name: ..., value: ... }` per line: test/unit/infra/bicep.test.ts reads them.
      appSettings: [
        // Identity-based host storage (durable task hub, timers): an account name, no key. The FIDO
        // metadata cache (container fido-metadata) reads it too, with DefaultAzureCredential.
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        // The store: an endpoint and no COSMOS_KEY, so the app signs in with DefaultAzureCredential.
        { name: 'COSMOS_ENDPOINT', value: cosmos.properties.documentEndpoint }
        { name: 'COSMOS_DATABASE', value: 'passkeys' }
        // The change-feed trigger (outbox relay on the audit container), identity-based.
        { name: 'COSMOS_CONNECTION__accountEndpoint', value: cosmos.properties.documentEndpoint }
        // Read by the Service Bus triggers and by the app's publisher (DefaultAzureCredential): a namespace, no key.
        { name: 'SERVICEBUS_CONNECTION__fullyQualifiedNamespace', value: '${serviceBus.name}.servicebus.windows.net' }
        { name: 'ENTRA_TENANT_ID', value: tenantId }
        { name: 'ENTRA_AUDIENCE', value: apiAudience }
        { name: 'API_AUDIENCE', value: apiAudience }
        { name: 'RP_ID', value: rpId }
        { name: 'RP_NAME', value: rpName }
        { name: 'ORIGINS', value: origins }
        { name: 'RELATED_ORIGINS', value: relatedOrigins }
        { name: 'TOKEN_ISSUER', value: 'https://${name}-func.azurewebsites.net' }
        { name: 'SEED_DEMO_TENANT', value: 'false' }
        // Key Vault references, resolved with the app's identity (Key Vault Secrets User); the README says how to create them.
        { name: 'SIGNING_KEY_JWK', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=signing-key-jwk)' }
        { name: 'SERVER_SECRET', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=server-secret)' }
        { name: 'DATA_DIR', value: '/tmp/passkeys' }
        // DIRECTORY=entra: Graph with the managed identity (grant it User.Read.All and GroupMember.Read.All); the README says how.
        { name: 'DIRECTORY', value: directory }
        { name: 'GRAPH_NOTIFICATION_URL', value: 'https://${name}-func.azurewebsites.net/notifications/graph' }
        { name: 'GRAPH_CLIENT_STATE', value: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=graph-client-state)' }
        // Sign-in log retention: the `ttl` of each sign-in document (Cosmos DB expires them) and the inventory's window.
        { name: 'SIGNIN_LOG_RETENTION_DAYS', value: '30' }
        // FIDO metadata kept fresh: the refreshFidoMetadata timer downloads, verifies and caches the MDS3 blob.
        { name: 'FIDO_MDS_URL', value: fidoMdsUrl }
      ]
      // Settings the code reads (shared/config.ts) that this template leaves to their defaults; set them on the app to change:
      //   PORT, HOST, TRUST_PROXY: the embedded host only; on Azure the Functions host listens and fronts the app.
      //   COSMOS_KEY, SERVICEBUS_CONNECTION: keys; never here (the identity signs in instead).
      //   ENTRA_ISSUER, ENTRA_JWKS_URI: derived from ENTRA_TENANT_ID (login.microsoftonline.com).
      //   ALLOW_LOCAL_TOKENS: off when ENTRA_TENANT_ID is set; dev admin tokens are for laptops.
      //   FIDO_MDS_PATH, ATTESTATION_TRUST_ROOTS: attestation metadata and roots (files deployed with the package).
      //   SIGNIN_TOKEN_LIFETIME_SECONDS, REENROLMENT_GRACE_HOURS, RATE_LIMIT_PER_MINUTE, ALLOWED_AUDIENCES: policy knobs.
      //   EVENT_RETRY_BASE_MS: the embedded bus only.
      //   WEBHOOK_ALLOW_PRIVATE_NETWORKS: off; only for a receiver on a developer's machine.
      //   LOG_LEVEL: info.
      //   AzureWebJobsStorage, AZURITE, AZURITE_BLOB_PORT, AZURITE_QUEUE_PORT: the embedded runtime's Azurite and storage pollers; on Azure the triggers connect with AzureWebJobsStorage__accountName.
      //   GRAPH_BASE_URL, GRAPH_TENANT_ID: https://graph.microsoft.com and ENTRA_TENANT_ID (national clouds set both).
      //   GRAPH_CLIENT_ID, GRAPH_CLIENT_SECRET, GRAPH_CLIENT_CERTIFICATE_PATH: unset, so Graph is reached keyless with the managed identity.
      //   GRAPH_MEMBERSHIP_TTL_SECONDS: 300; how long a user's transitive groups are cached.
      //   FIDO_MDS_ROOT_CERT: the FIDO Alliance roots SimpleWebAuthn ships (GlobalSign R3, R46); set for another MDS.
      //   FIDO_MDS_ALLOW_PRIVATE_NETWORKS: off; only for a test MDS server on a developer's machine.
      //   AzureWebJobsStorage: a connection string (Azurite locally); here the keyless AzureWebJobsStorage__accountName.
    }
  }
}

// What each client of the app does, and the role that allows it (the app's system-assigned identity):
// the Functions host and the durable task hub use blobs, queues and tables of the storage account;
// the provisioning-requests triggers read the queue and the CSV blobs, write the poison queue and
// keep blob receipts; the FIDO metadata cache reads and writes its blob;
// the Flex deployment reads its package blob; the publisher sends to and the triggers receive from
// Service Bus; the store reads and writes Cosmos DB; Key Vault references read the two secrets.
resource storageBlob 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, site.id, roles.storageBlobDataContributor)
  scope: storage
  properties: {
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
  }
}

resource storageQueue 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, site.id, roles.storageQueueDataContributor)
  scope: storage
  properties: {
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
  }
}

resource storageTable 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, site.id, roles.storageTableDataContributor)
  scope: storage
  properties: {
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
  }
}

resource busSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, site.id, roles.serviceBusDataSender)
  scope: serviceBus
  properties: {
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataSender)
  }
}

resource busReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(serviceBus.id, site.id, roles.serviceBusDataReceiver)
  scope: serviceBus
  properties: {
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.serviceBusDataReceiver)
  }
}

resource secretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, site.id, roles.keyVaultSecretsUser)
  scope: vault
  properties: {
    principalId: site.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.keyVaultSecretsUser)
  }
}

resource cosmosData 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: cosmos
  name: guid(cosmos.id, site.id, roles.cosmosDataContributor)
  properties: {
    principalId: site.identity.principalId
    roleDefinitionId: '${cosmos.id}/sqlRoleDefinitions/${roles.cosmosDataContributor}'
    scope: cosmos.id
  }
}

output functionAppName string = site.name
output serviceUrl string = 'https://${site.properties.defaultHostName}'
output keyVaultName string = vault.name
