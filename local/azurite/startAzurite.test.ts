import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzuritePortInUseError, RunningAzurite, startAzurite } from './startAzurite';

describe('startAzurite (Blob and Queue services in process)', () => {
  let dir: string;
  const running: RunningAzurite[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'passkeys-azurite-'));
  });
  afterEach(async () => {
    for (const azurite of running.splice(0)) await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the development account on free ports, keeps its data under the location across a restart', async () => {
    const first = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
    running.push(first);
    expect(first.blobPort).toBeGreaterThan(0);
    expect(first.queuePort).not.toBe(first.blobPort);
    const queue = new QueueClient(first.connectionString, 'kept');
    await queue.create();
    await queue.sendMessage('hello');
    const blobs = BlobServiceClient.fromConnectionString(first.connectionString).getContainerClient('kept');
    await blobs.create();
    await blobs.getBlockBlobClient('a.csv').upload('x', 1);
    await first.stop();
    running.pop();
    expect(existsSync(join(dir, '__azurite_db_queue__.json'))).toBe(true);

    const second = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
    running.push(second);
    const peeked = await new QueueClient(second.connectionString, 'kept').peekMessages();
    expect(peeked.peekedMessageItems.map((m) => m.messageText)).toEqual(['hello']);
    const names: string[] = [];
    for await (const b of BlobServiceClient.fromConnectionString(second.connectionString)
      .getContainerClient('kept')
      .listBlobsFlat())
      names.push(b.name);
    expect(names).toEqual(['a.csv']);
  });

  it('a taken port is a one-line error naming the port and the setting, and starts nothing', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const taken = (squatter.address() as { port: number }).port;
    try {
      const attempt = startAzurite({ location: dir, blobPort: 0, queuePort: taken });
      await expect(attempt).rejects.toBeInstanceOf(AzuritePortInUseError);
      const error = (await attempt.catch((e: unknown) => e)) as Error;
      expect(error.message).toContain(`127.0.0.1:${taken}`);
      expect(error.message).toContain('AZURITE_QUEUE_PORT');
      expect(error.message).not.toContain('\n');
      // Nothing half-started: the Blob port of a failed start is free again, and a fresh start works.
      const again = await startAzurite({ location: dir, blobPort: 0, queuePort: 0 });
      running.push(again);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
