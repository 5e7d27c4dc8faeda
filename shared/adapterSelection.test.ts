import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adapterNames, createEventBus } from './adapterSelection';
import { loadConfig } from './config';

const ENTRA = { ENTRA_TENANT_ID: '11111111-1111-4111-8111-111111111111', ENTRA_AUDIENCE: 'api://passkeys' };

describe('adapterSelection', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-adapters-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = (settings: Record<string, string>) =>
    loadConfig({ PORT: '1', DATA_DIR: dataDir, ...settings }, dataDir);

  it.each([
    ['the embedded defaults', {}, { store: 'sqlite', events: 'local', tokens: 'local' }],
    [
      'Cosmos DB and Service Bus',
      {
        COSMOS_ENDPOINT: 'https://localhost:8081',
        COSMOS_KEY: 'a2V5',
        SERVICEBUS_CONNECTION: 'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=v',
      },
      { store: 'cosmos', events: 'servicebus', tokens: 'local' },
    ],
    [
      'Cosmos DB and Service Bus without keys (managed identity, as infra/main.bicep deploys)',
      {
        COSMOS_ENDPOINT: 'https://passkeys-cosmos.documents.azure.com:443/',
        SERVICEBUS_CONNECTION__fullyQualifiedNamespace: 'passkeys-sb.servicebus.windows.net',
      },
      { store: 'cosmos', events: 'servicebus', tokens: 'local' },
    ],
    ['an Entra tenant', ENTRA, { store: 'sqlite', events: 'local', tokens: 'entra' }],
    [
      'an Entra tenant and local tokens',
      { ...ENTRA, ALLOW_LOCAL_TOKENS: 'true' },
      { store: 'sqlite', events: 'local', tokens: 'entra+local' },
    ],
  ])('names the adapters of %s', (_name, settings, names) => {
    expect(adapterNames(config(settings))).toEqual(names);
  });

  it('on Azure, refuses to run without Service Bus (a local bus file would lose events)', async () => {
    await expect(createEventBus(config({}), 'azure')).rejects.toThrow(/SERVICEBUS_CONNECTION is required on Azure/);
  });

  it('reads the keyless settings: no Cosmos key, the Service Bus namespace of the identity-based trigger connection', () => {
    const keyless = config({
      COSMOS_ENDPOINT: 'https://passkeys-cosmos.documents.azure.com:443/',
      SERVICEBUS_CONNECTION__fullyQualifiedNamespace: 'passkeys-sb.servicebus.windows.net',
    });
    expect(keyless.cosmos).toEqual({
      endpoint: 'https://passkeys-cosmos.documents.azure.com:443/',
      key: undefined,
      databaseId: 'passkeys',
    });
    expect(keyless.serviceBusNamespace).toBe('passkeys-sb.servicebus.windows.net');
    expect(keyless.serviceBusConnection).toBeUndefined();
  });

  it('locally, opens the durable local bus under DATA_DIR', async () => {
    const bus = await createEventBus(config({}), 'local');
    await bus.close();
    expect(existsSync(join(dataDir, 'bus.db'))).toBe(true);
  });
});
