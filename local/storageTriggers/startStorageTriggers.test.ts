import { QueueClient } from '@azure/storage-queue';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, Settings } from '../../shared/config';
import { startTestService } from '../../test/support/localService';
import { createLogger } from '../logger';
import { LocalStorage, startLocalStorage } from './startStorageTriggers';

describe('startLocalStorage: which storage the triggers poll', () => {
  let dir: string;
  let lines: string[];
  const started: LocalStorage[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'passkeys-localstorage-'));
    lines = [];
  });
  afterEach(async () => {
    for (const storage of started.splice(0)) await storage.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (settings: Settings) => {
    const storage = await startLocalStorage(
      loadConfig({ DATA_DIR: dir, ...settings }, dir),
      createLogger('info', (l) => lines.push(l)),
    );
    started.push(storage);
    return storage;
  };

  async function squat(): Promise<{ port: number; close: () => Promise<void> }> {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as { port: number }).port,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it('by default: Azurite in process under DATA_DIR/azurite, the development account on its ports', async () => {
    const storage = await start({ AZURITE_BLOB_PORT: '0', AZURITE_QUEUE_PORT: '0' });
    expect(storage.azurite).toBeDefined();
    expect(storage.connectionString).toContain(
      `QueueEndpoint=http://127.0.0.1:${storage.azurite!.queuePort}/devstoreaccount1`,
    );
    await new QueueClient(storage.connectionString!, 'probe').create();
    expect(lines.join('\n')).toContain(join(dir, 'azurite'));
  });

  it.each<[string, Settings, string | undefined]>([
    ['AZURITE=off and no AzureWebJobsStorage: triggers off', { AZURITE: 'off' }, undefined],
    [
      'AZURITE=off with the development account: your own Azurite on its default ports',
      { AZURITE: 'off', AzureWebJobsStorage: 'UseDevelopmentStorage=true' },
      'UseDevelopmentStorage=true',
    ],
    [
      'AzureWebJobsStorage naming other storage: used as is, no Azurite',
      { AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=contoso;EndpointSuffix=core.windows.net' },
      'DefaultEndpointsProtocol=https;AccountName=contoso;EndpointSuffix=core.windows.net',
    ],
  ])('%s', async (_what, settings, connection) => {
    const storage = await start(settings);
    expect(storage.azurite).toBeUndefined();
    expect(storage.connectionString).toBe(connection);
  });

  it('a taken Azurite port: one warning line naming it, no storage triggers, nothing started', async () => {
    const taken = await squat();
    try {
      const storage = await start({ AZURITE_BLOB_PORT: String(taken.port), AZURITE_QUEUE_PORT: '0' });
      expect(storage).toEqual({ stop: expect.any(Function) });
      const warnings = lines.filter((l) => l.includes('warning'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`127.0.0.1:${taken.port}`);
      expect(warnings[0]).toContain('AZURITE_BLOB_PORT');
      expect(warnings[0]).toContain('HTTP is served as usual');
      expect(warnings[0]).not.toMatch(/\n|\bat .*\(/); // no stack
    } finally {
      await taken.close();
    }
  });

  it('the service still serves HTTP when Azurite cannot have its port', async () => {
    const taken = await squat();
    const svc = await startTestService({
      AZURITE: 'on',
      AZURITE_QUEUE_PORT: String(taken.port),
      AZURITE_BLOB_PORT: '0',
    });
    try {
      expect(svc.storage.connectionString).toBeUndefined();
      expect((await svc.call('GET', '/health')).status).toBe(200);
    } finally {
      await svc.close();
      await taken.close();
    }
  });

  it.each([
    ['AZURITE_BLOB_PORT', '70000'],
    ['AZURITE_QUEUE_PORT', 'x'],
  ])('refuses %s=%s at load', (name, value) => {
    expect(() => loadConfig({ [name]: value }, dir)).toThrow(`Setting ${name} must be`);
  });
});
