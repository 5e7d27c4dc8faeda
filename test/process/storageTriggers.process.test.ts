import { BlobServiceClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { developmentConnectionString } from '../../local/azurite/developmentAccount';
import { freePort, HostProcess, runTokenCli, startHostProcess } from '../support/processes';

jest.setTimeout(120_000);

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('npm start runs Azurite in process and the provisioning-requests queue and blob triggers', () => {
  let dataDir: string;
  let host: HostProcess | undefined;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-storage-process-'));
  });
  afterAll(async () => {
    if (host && host.child.exitCode === null) await host.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a queue message and a CSV blob each start exactly one job, listed at GET /provisioning/jobs; a bad message is poisoned with its reason', async () => {
    const ports = { blobPort: await freePort(), queuePort: await freePort() };
    host = await startHostProcess({
      DATA_DIR: dataDir,
      AZURITE_BLOB_PORT: String(ports.blobPort),
      AZURITE_QUEUE_PORT: String(ports.queuePort),
    });
    expect(host.output()).toContain(
      `Azurite (development storage) in process: Blob http://127.0.0.1:${ports.blobPort}`,
    );
    expect(existsSync(join(dataDir, 'azurite', '__azurite_db_queue__.json'))).toBe(true);
    const cli = runTokenCli(
      [
        '--upn',
        'admin@contoso.com',
        '--role',
        'Authentication Administrator',
        '--role',
        'Authentication Policy Administrator',
      ],
      { DATA_DIR: dataDir },
    );
    expect(cli.status).toBe(0);
    const headers = { Authorization: `Bearer ${cli.stdout.trim()}`, 'Content-Type': 'application/json' };
    const enabled = await fetch(`${host.url}${POLICY}`, {
      method: 'PATCH',
      headers,
      body: JSON.stringify({
        '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration',
        state: 'enabled',
      }),
    });
    expect(enabled.status).toBe(204);
    const listJobs = async () =>
      (
        (await (await fetch(`${host!.url}/provisioning/jobs`, { headers })).json()) as {
          value: Array<Record<string, unknown>>;
        }
      ).value;
    expect(await listJobs()).toEqual([]);

    // The well-known development account; on other ports than 10000/10001, so spelled out.
    const connection = developmentConnectionString(ports);
    const queue = new QueueClient(connection, 'provisioning-requests');
    await queue.createIfNotExists();
    const request = {
      users: ['alice@contoso.com', 'bob@contoso.com'],
      idempotencyKey: 'process-1',
      requestedBy: 'hr@contoso.com',
    };
    await queue.sendMessage(Buffer.from(JSON.stringify(request)).toString('base64'));
    await queue.sendMessage(Buffer.from(JSON.stringify(request)).toString('base64')); // delivered twice: one job
    const queued = await until('the queued job', async () => {
      const jobs = await listJobs();
      return jobs.length > 0 ? jobs : undefined;
    });
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ totalUsers: 2, requestedBy: 'hr@contoso.com' });

    const container = BlobServiceClient.fromConnectionString(connection).getContainerClient('provisioning-requests');
    await container.createIfNotExists();
    const csv = 'userPrincipalName,displayName\nbob@contoso.com,Bob Jones\n';
    await container.getBlockBlobClient('pilot.csv').upload(csv, Buffer.byteLength(csv));
    const both = await until('the CSV job', async () => {
      const jobs = await listJobs();
      return jobs.length > 1 ? jobs : undefined;
    });
    expect(both.map((j) => j.totalUsers)).toEqual([1, 2]); // newest first

    await queue.sendMessage(Buffer.from(JSON.stringify({ users: 'bob@contoso.com' })).toString('base64'));
    const poison = new QueueClient(connection, 'provisioning-requests-poison');
    const [envelope] = await until('the poison message', async () => {
      const peeked = (await poison.peekMessages()).peekedMessageItems;
      return peeked.length ? peeked.map((m) => JSON.parse(m.messageText)) : undefined;
    });
    expect(envelope.reason).toMatch(/Invalid job request value for 'users'/);
    await until('the queue to drain', async () =>
      (await queue.getProperties()).approximateMessagesCount === 0 ? true : undefined,
    );
    expect(await listJobs()).toHaveLength(2);

    expect(await host.stop('SIGTERM')).toBe(0);
  });
});
