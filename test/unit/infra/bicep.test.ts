import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventConsumers } from '../../../functions/consumers';
import { CONTAINER_DEFINITIONS } from '../../../shared/adapters/cosmos/containers.cosmos';
import { EVENTS_TOPIC, EventSubscriptions } from '../../../shared/eventTopology';
import { storageTriggerFunctions } from '../../../functions/registry';
import { METADATA_CONTAINER } from '../../../shared/adapters/storage/metadataDocument';

const bicep = readFileSync(join(__dirname, '..', '..', '..', 'infra', 'main.bicep'), 'utf8');

/** The `{ name: '...', maxDeliveryCount: N }` entries of the `eventSubscriptions` variable. */
function bicepSubscriptions(): Array<{ name: string; maxDeliveryCount: number }> {
  const block = /var eventSubscriptions = \[([\s\S]*?)\n\]/.exec(bicep)?.[1];
  if (!block) throw new Error('infra/main.bicep has no `var eventSubscriptions = [ ... ]` block');
  return [...block.matchAll(/\{\s*name:\s*'([^']+)',?\s*maxDeliveryCount:\s*(\d+)\s*\}/g)].map((m) => ({ name: m[1], maxDeliveryCount: Number(m[2]) }));
}

describe('infra/main.bicep provisions the event topology the code declares', () => {
  it('has the topic of shared/eventTopology.ts', () => {
    expect(bicep).toMatch(new RegExp(`resource topic '[^']+' = \\{[^}]*name: '${EVENTS_TOPIC}'`));
  });

  it('has one subscription per declared subscription, with the same max delivery count', () => {
    expect(bicepSubscriptions()).toEqual(Object.values(EventSubscriptions));
    // The subscription resource reads both fields from the list, not a constant of its own.
    expect(bicep).toMatch(/name: s\.name\s+properties: \{ maxDeliveryCount: s\.maxDeliveryCount,/);
  });

  it('every consumer reads a declared subscription with its delivery count, and every subscription has a consumer', () => {
    const declared = new Map<string, number>(Object.values(EventSubscriptions).map((s) => [s.name, s.maxDeliveryCount]));
    const consumers = eventConsumers();
    for (const consumer of consumers) expect({ consumer: consumer.name, maxDeliveryCount: consumer.maxDeliveryCount }).toEqual({ consumer: consumer.name, maxDeliveryCount: declared.get(consumer.subscription) });
    expect(consumers.map((c) => c.subscription).sort()).toEqual([...declared.keys()].sort());
  });
});

const root = join(__dirname, '..', '..', '..');
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');

/** The `{ name: 'X', value: ... }` entries of the Function App's `appSettings` list. */
function bicepAppSettings(): string[] {
  const block = /appSettings: \[([\s\S]*?)\n\s*\]/.exec(bicep)?.[1];
  if (!block) throw new Error('infra/main.bicep has no `appSettings: [ ... ]` block');
  return [...block.matchAll(/^\s*\{ name: '([^']+)', value: /gm)].map((m) => m[1]);
}

/** The settings the Bicep documents as left to the code's defaults: `//   A, B: why` lines after the appSettings list. */
function bicepOptionalSettings(): string[] {
  const block = /\/\/ Settings the code reads \(shared\/config\.ts\) that this template leaves to their defaults[^\n]*\n((?:\s*\/\/ {3}[^\n]*\n)+)/.exec(bicep)?.[1];
  if (!block) throw new Error('infra/main.bicep documents no optional settings');
  return [...block.matchAll(/\/\/ {3}([A-Za-z0-9_, ]+):/g)].flatMap((m) => m[1].split(',').map((n) => n.trim()));
}

/** Every setting shared/config.ts reads (`s.NAME`), plus those functions/index.ts reads from process.env. */
function settingsTheCodeReads(): string[] {
  const config = [...read('shared', 'config.ts').matchAll(/\bs\.([A-Z][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  const entry = [...read('functions', 'index.ts').matchAll(/process\.env\.([A-Z][A-Za-z0-9_]*)/g)].map((m) => m[1]);
  return [...new Set([...config, ...entry])].sort();
}

/** The `connection: 'NAME'` settings of the triggers in functions/index.ts, and those of the declared storage triggers. */
function triggerConnections(): string[] {
  const storage = storageTriggerFunctions();
  return [
    ...new Set([
      ...[...read('functions', 'index.ts').matchAll(/connection: '([^']+)'/g)].map((m) => m[1]),
      ...[...storage.queues, ...storage.blobs].map((fn) => fn.connection),
    ]),
  ];
}

/** The `{ name: '...', pk: '...', ttl?: N }` entries of the `cosmosContainers` variable. */
function bicepContainers(): Array<{ name: string; partitionKey: string; defaultTtl?: number }> {
  const block = /var cosmosContainers = \[([\s\S]*?)\n\]/.exec(bicep)?.[1];
  if (!block) throw new Error('infra/main.bicep has no `var cosmosContainers = [ ... ]` block');
  return [...block.matchAll(/\{ name: '([^']+)', pk: '([^']+)'(?:, ttl: (-?\d+))? \}/g)].map((m) => ({
    name: m[1],
    partitionKey: m[2],
    ...(m[3] === undefined ? {} : { defaultTtl: Number(m[3]) }),
  }));
}

/** A role assignment: the `roles.X` it grants, on which resource, to whom. */
interface RoleAssignment {
  role: string;
  scope: string;
  principal: string;
}

function bicepRoleAssignments(): RoleAssignment[] {
  const azure = [...bicep.matchAll(/resource \w+ 'Microsoft\.Authorization\/roleAssignments@[^']+' = \{([\s\S]*?)\n\}/g)].map((m) => ({
    role: /roleDefinitionId: subscriptionResourceId\('Microsoft\.Authorization\/roleDefinitions', roles\.(\w+)\)/.exec(m[1])?.[1] ?? '?',
    scope: /scope: (\w+)/.exec(m[1])?.[1] ?? '?',
    principal: /principalId: ([\w.]+)/.exec(m[1])?.[1] ?? '?',
  }));
  const cosmosData = [...bicep.matchAll(/resource \w+ 'Microsoft\.DocumentDB\/databaseAccounts\/sqlRoleAssignments@[^']+' = \{([\s\S]*?)\n\}/g)].map((m) => ({
    role: /sqlRoleDefinitions\/\$\{roles\.(\w+)\}/.exec(m[1])?.[1] ?? '?',
    scope: /parent: (\w+)/.exec(m[1])?.[1] ?? '?',
    principal: /principalId: ([\w.]+)/.exec(m[1])?.[1] ?? '?',
  }));
  return [...azure, ...cosmosData];
}

/** The `roles` variable: name -> role definition id. */
function bicepRoles(): Record<string, string> {
  const block = /var roles = \{([\s\S]*?)\n\}/.exec(bicep)?.[1];
  if (!block) throw new Error('infra/main.bicep has no `var roles = { ... }` block');
  return Object.fromEntries([...block.matchAll(/^\s*(\w+): '([0-9a-f-]{36})'/gm)].map((m) => [m[1], m[2]]));
}

describe('infra/main.bicep sets every setting the code reads', () => {
  it('every setting of shared/config.ts and functions/index.ts is set or documented as optional', () => {
    const covered = new Set([...bicepAppSettings(), ...bicepOptionalSettings()]);
    expect(settingsTheCodeReads().filter((name) => !covered.has(name))).toEqual([]);
  });

  it('every app setting is one the code, a trigger or the Functions host reads (no stale settings)', () => {
    const read = new Set(settingsTheCodeReads());
    const connections = triggerConnections();
    const host = new Set(['AzureWebJobsStorage__accountName', 'APPLICATIONINSIGHTS_CONNECTION_STRING']);
    const stale = bicepAppSettings().filter(
      (name) => !read.has(name) && !host.has(name) && !connections.some((c) => name.startsWith(`${c}__`)),
    );
    expect(stale).toEqual([]);
  });

  it('every trigger connection is identity-based (NAME__fullyQualifiedNamespace / __accountEndpoint), not a connection string', () => {
    const settings = bicepAppSettings();
    for (const connection of triggerConnections()) {
      expect({ connection, identityBased: settings.some((s) => s.startsWith(`${connection}__`)) }).toEqual({ connection, identityBased: true });
      expect(settings).not.toContain(connection);
    }
  });

  it('the Service Bus namespace setting is the one the app publisher reads and the triggers connect with', () => {
    expect(settingsTheCodeReads()).toContain('SERVICEBUS_CONNECTION__fullyQualifiedNamespace');
    expect(triggerConnections()).toContain('SERVICEBUS_CONNECTION');
    expect(bicepAppSettings()).toContain('SERVICEBUS_CONNECTION__fullyQualifiedNamespace');
  });

  it('the main.parameters.json file gives every required parameter and only declared ones', () => {
    const declared = [...bicep.matchAll(/^param (\w+) \w+( = )?/gm)].map((m) => ({ name: m[1], required: !m[2] }));
    const given = Object.keys((JSON.parse(read('infra', 'main.parameters.json')) as { parameters: object }).parameters);
    expect(declared.filter((p) => p.required && !given.includes(p.name))).toEqual([]);
    expect(given.filter((name) => !declared.some((p) => p.name === name))).toEqual([]);
  });
});

describe('infra/main.bicep deploys without keys', () => {
  it.each([
    ['account key (listKeys)', /listKeys\(/],
    ['RootManageSharedAccessKey', /RootManageSharedAccessKey/],
    ['connection string with a key', /AccountKey=|SharedAccessKey=/],
    ['COSMOS_KEY', /name: 'COSMOS_KEY'/],
    ['SERVICEBUS_CONNECTION as a connection string', /name: 'SERVICEBUS_CONNECTION'/],
    ['AzureWebJobsStorage as a connection string', /name: 'AzureWebJobsStorage'/],
  ])('puts no %s in the template', (_what, pattern) => {
    expect(bicep).not.toMatch(pattern);
  });

  it('turns local (key) auth off on Storage, Cosmos DB and Service Bus', () => {
    expect(bicep).toMatch(/resource storage '[^']+' = \{[\s\S]*?allowSharedKeyAccess: false[\s\S]*?\n\}/);
    expect(bicep).toMatch(/resource cosmos '[^']+' = \{[\s\S]*?disableLocalAuth: true[\s\S]*?\n\}/);
    expect(bicep).toMatch(/resource serviceBus '[^']+' = \{[\s\S]*?disableLocalAuth: true[\s\S]*?\n\}/);
  });

  it('runs on Flex Consumption, Node 20, with a system-assigned identity that also fetches the package', () => {
    expect(bicep).toMatch(/sku: \{ name: 'FC1', tier: 'FlexConsumption' \}/);
    expect(bicep).toMatch(/runtime: \{ name: 'node', version: '20' \}/);
    expect(bicep).toMatch(/resource site '[^']+' = \{[\s\S]*?identity: \{ type: 'SystemAssigned' \}/);
    expect(bicep).toMatch(/authentication: \{ type: 'SystemAssignedIdentity' \}/);
    expect(bicep).toMatch(/name: 'SIGNING_KEY_JWK', value: '@Microsoft\.KeyVault\(VaultName=\$\{vault\.name\};SecretName=signing-key-jwk\)'/);
    expect(bicep).toMatch(/name: 'SERVER_SECRET', value: '@Microsoft\.KeyVault\(VaultName=\$\{vault\.name\};SecretName=server-secret\)'/);
  });
});

describe('infra/main.bicep declares the Cosmos DB containers the adapter uses', () => {
  it('every container of containers.cosmos.ts, with its partition key and TTL, plus the change-feed lease container', () => {
    const fromCode = Object.values(CONTAINER_DEFINITIONS).map((d) => ({
      name: d.id,
      partitionKey: d.partitionKey.paths[0],
      ...('defaultTtl' in d ? { defaultTtl: d.defaultTtl } : {}),
    }));
    const lease = /leaseContainerName: '([^']+)'/.exec(read('functions', 'index.ts'))?.[1] ?? 'no lease container';
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(bicepContainers().sort(byName)).toEqual([...fromCode, { name: lease, partitionKey: '/id' }].sort(byName));
  });

  it('the container resource takes partition key and TTL from the list', () => {
    expect(bicep).toMatch(/partitionKey: \{ paths: \[ c\.pk \], kind: 'Hash' \}/);
    expect(bicep).toMatch(/defaultTtl: contains\(c, 'ttl'\) \? c\.ttl : null/);
  });

  it('the change-feed trigger watches a declared container of the declared database', () => {
    const entry = read('functions', 'index.ts');
    const watched = /containerName: '([^']+)'/.exec(entry)?.[1];
    expect(bicepContainers().map((c) => c.name)).toContain(watched);
    expect(bicep).toMatch(/resource database '[^']+' = \{[^}]*name: 'passkeys'/);
    expect(bicep).toMatch(/name: 'COSMOS_DATABASE', value: 'passkeys'/);
    expect(entry).toMatch(/process\.env\.COSMOS_DATABASE \|\| 'passkeys'/);
  });
});

describe('infra/main.bicep declares the queues and blob containers the triggers use', () => {
  it('every storage queue and blob trigger of functions/ names a queue or container of the template', () => {
    const sources = readdirSync(join(root, 'functions'), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => read('functions', f))
      .join('\n');
    const queues = [...sources.matchAll(/queueName: '([^']+)'/g)].map((m) => m[1]);
    const containers = [...sources.matchAll(/app\.storageBlob\([^)]*?path: '([^/']+)/g)].map((m) => m[1]);
    for (const queue of queues) expect(bicep).toMatch(new RegExp(`queueServices/queues@[^']+' = \\{[^}]*name: '${queue}'`));
    for (const container of containers) expect(bicep).toMatch(new RegExp(`blobServices/containers@[^']+' = \\{[^}]*name: '${container}'`));
  });

  it('the declared storage triggers: each queue, its poison queue and each blob container exist in the storage account', () => {
    const { queues, blobs } = storageTriggerFunctions();
    expect(queues.length + blobs.length).toBeGreaterThan(0);
    const queueNames = [...bicep.matchAll(/queueServices\/queues@[^']+' = \{\s*parent: queueService\s*name: '([^']+)'/g)].map((m) => m[1]);
    const containerNames = [...bicep.matchAll(/blobServices\/containers@[^']+' = \{\s*parent: blobService\s*name: '([^']+)'/g)].map((m) => m[1]);
    for (const fn of queues) expect(queueNames).toEqual(expect.arrayContaining([fn.queueName, fn.poisonQueueName]));
    for (const fn of blobs) {
      expect(containerNames).toContain(fn.container);
      expect(queueNames).toContain(fn.poisonQueueName);
      expect(fn.path).toBe(`${fn.container}/{name}`);
    }
    // Both kinds connect with the host's storage, identity-based (AzureWebJobsStorage__accountName).
    for (const fn of [...queues, ...blobs]) expect(bicepAppSettings()).toContain(`${fn.connection}__accountName`);
  });

  it('the blob trigger runs on Event Grid (Flex Consumption): the storage account has its system topic', () => {
    expect(bicep).toMatch(/resource \w+ 'Microsoft\.EventGrid\/systemTopics@[^']+' = \{[\s\S]*?source: storage\.id[\s\S]*?topicType: 'Microsoft\.Storage\.StorageAccounts'/);
  });
});

describe('infra/main.bicep declares the blob container of the FIDO metadata cache', () => {
  it('the container the cache adapter writes exists in the storage account', () => {
    expect(bicep).toMatch(new RegExp(`blobServices/containers@[^']+' = \\{[^}]*name: '${METADATA_CONTAINER}'`));
  });
});

describe('infra/main.bicep grants the app identity what each client does', () => {
  // Built-in role definition ids (the same in every tenant).
  const BUILT_IN_ROLES: Record<string, string> = {
    storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    serviceBusDataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
    serviceBusDataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
    keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6',
    cosmosDataContributor: '00000000-0000-0000-0000-000000000002',
  };

  // Each client of the deployed app, and the roles (on which resource) it needs.
  const CLIENTS: Array<{ client: string; needs: Array<{ role: string; scope: string }> }> = [
    { client: 'Cosmos DB store (CosmosClient) and the change-feed trigger', needs: [{ role: 'cosmosDataContributor', scope: 'cosmos' }] },
    { client: 'event publisher (ServiceBusEventBus, outbox relay)', needs: [{ role: 'serviceBusDataSender', scope: 'serviceBus' }] },
    { client: 'Service Bus topic triggers (event consumers)', needs: [{ role: 'serviceBusDataReceiver', scope: 'serviceBus' }] },
    {
      client: 'Functions host storage and the durable task hub (AzureWebJobsStorage)',
      needs: [
        { role: 'storageBlobDataContributor', scope: 'storage' },
        { role: 'storageQueueDataContributor', scope: 'storage' },
        { role: 'storageTableDataContributor', scope: 'storage' },
      ],
    },
    { client: 'Flex Consumption deployment package', needs: [{ role: 'storageBlobDataContributor', scope: 'storage' }] },
    {
      client: 'provisioning-requests queue trigger and its poison queue output (AzureWebJobsStorage)',
      needs: [{ role: 'storageQueueDataContributor', scope: 'storage' }],
    },
    {
      client: 'provisioning-requests blob trigger: reads the CSVs, keeps blob receipts (AzureWebJobsStorage)',
      needs: [
        { role: 'storageBlobDataContributor', scope: 'storage' },
        { role: 'storageQueueDataContributor', scope: 'storage' },
      ],
    },
    { client: 'FIDO metadata cache (BlobMetadataCache, container fido-metadata)', needs: [{ role: 'storageBlobDataContributor', scope: 'storage' }] },
    { client: 'Key Vault references (SIGNING_KEY_JWK, SERVER_SECRET)', needs: [{ role: 'keyVaultSecretsUser', scope: 'vault' }] },
  ];

  it('the roles variable holds the built-in role ids', () => {
    expect(bicepRoles()).toEqual(BUILT_IN_ROLES);
  });

  it.each(CLIENTS)('$client has its roles, granted to the app identity', ({ needs }) => {
    const granted = bicepRoleAssignments();
    for (const need of needs) expect(granted).toContainEqual({ ...need, principal: 'site.identity.principalId' });
  });

  it('grants nothing beyond what a client needs', () => {
    const needed = CLIENTS.flatMap((c) => c.needs).map((n) => `${n.role}@${n.scope}`);
    expect(bicepRoleAssignments().filter((g) => !needed.includes(`${g.role}@${g.scope}`))).toEqual([]);
  });
});
