import { BlobServiceClient, ContainerClient } from '@azure/storage-blob';
import { QueueClient } from '@azure/storage-queue';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningAzurite, startAzurite } from '../../local/azurite/startAzurite';
import { RECEIPTS_CONTAINER } from '../../local/storageTriggers/blobPoller';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { Roles, startTestService, TestService } from '../support/localService';

jest.setTimeout(60_000);

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const QUEUE = 'provisioning-requests';
const POISON = 'provisioning-requests-poison';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('provisioning requests through Azure Storage (Azurite): queue and blob triggers start jobs', () => {
  let azurite: RunningAzurite;
  let storageDir: string;
  let dataDir: string;
  let svc: TestService;
  let admin: string;
  let queue: QueueClient;
  let poison: QueueClient;
  let container: ContainerClient;

  const start = async () => {
    svc = await startTestService({ DATA_DIR: dataDir, AzureWebJobsStorage: azurite.connectionString });
    admin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
  };

  beforeAll(async () => {
    storageDir = mkdtempSync(join(tmpdir(), 'passkeys-azurite-it-'));
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-storage-it-'));
    // Its own Azurite on free ports: the service uses it as "storage elsewhere" (AzureWebJobsStorage).
    azurite = await startAzurite({ location: storageDir, blobPort: 0, queuePort: 0 });
    queue = new QueueClient(azurite.connectionString, QUEUE);
    poison = new QueueClient(azurite.connectionString, POISON);
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(QUEUE);
    await queue.createIfNotExists();
    await poison.createIfNotExists();
    await container.createIfNotExists();
    await start();
    // Passkeys on, so a queued job's users become ready (or are refused for a reason of their own).
    const policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    const enabled = await svc.call('PATCH', POLICY, {
      token: policyAdmin,
      body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', state: 'enabled' },
    });
    expect(enabled.status).toBe(204);
  });
  afterAll(async () => {
    await svc?.close();
    await azurite?.stop();
    rmSync(storageDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Ids of the jobs started so far, oldest first (their `created` audit records). */
  async function jobIds(): Promise<string[]> {
    const audit = await svc.app.store.audit.list({ top: 1000 });
    return audit.items
      .filter((r) => r.activityDisplayName === 'Provisioning job created')
      .map((r) => r.targetResources[0]!.id)
      .reverse();
  }

  /** Waits until the queue holds no message, visible or leased (the trigger finished with all). */
  const drained = () =>
    until('the queue to drain', async () =>
      (await queue.getProperties()).approximateMessagesCount === 0 ? true : undefined,
    );

  /** The poison envelopes so far (JSON text, as the trigger writes them). */
  async function poisoned(): Promise<
    Array<{ reason: string; source: Record<string, unknown>; originalMessage?: string }>
  > {
    const peeked = await poison.peekMessages({ numberOfMessages: 32 });
    return peeked.peekedMessageItems.map((m) => JSON.parse(m.messageText));
  }

  it('a base64 message starts exactly one job; the same idempotencyKey again (twice, also as plain JSON) starts none', async () => {
    const before = await jobIds();
    const request = {
      users: [DemoTenant.alice.userPrincipalName, DemoTenant.bob.userPrincipalName],
      idempotencyKey: 'hr-batch-2026-12-03',
      requestedBy: 'hr-automation@contoso.com',
    };
    await queue.sendMessage(b64(request));
    await queue.sendMessage(b64(request)); // a second message with the same key
    await queue.sendMessage(JSON.stringify(request)); // plain JSON is accepted too
    await drained();
    const started = (await jobIds()).filter((id) => !before.includes(id));
    expect(started).toHaveLength(1);
    const job = await svc.call('GET', `/provisioning/jobs/${started[0]}`, { token: admin });
    expect(job.status).toBe(200);
    expect(job.body).toMatchObject({ totalUsers: 2, status: 'running', requestedBy: 'hr-automation@contoso.com' });
    expect(await poisoned()).toEqual([]);
  });

  it('the same idempotencyKey with another request is refused to the poison queue, naming the key; no second job', async () => {
    await poison.clearMessages();
    await queue.sendMessage(b64({ users: [DemoTenant.alice.userPrincipalName], idempotencyKey: 'reused-key' }));
    await drained();
    const before = await jobIds();
    await queue.sendMessage(b64({ users: [DemoTenant.bob.userPrincipalName], idempotencyKey: 'reused-key' }));
    const [envelope] = await until('the poison message', async () =>
      (await poisoned()).length ? poisoned() : undefined,
    );
    expect(envelope.reason).toMatch(/idempotency key 'reused-key' was already used for a different request/);
    expect(await jobIds()).toEqual(before);
  });

  it('attack: a queued job (no authenticated caller) cannot provision a Global Administrator', async () => {
    const before = await jobIds();
    await queue.sendMessage(b64({ users: [DemoTenant.admin.userPrincipalName, DemoTenant.alice.userPrincipalName] }));
    await drained();
    const [jobId] = (await jobIds()).filter((id) => !before.includes(id));
    const job = await svc.call('GET', `/provisioning/jobs/${jobId}`, { token: admin });
    const rows = job.body.users as Array<{ userPrincipalName: string; state: string; reason: string | null }>;
    const state = (upn: string) => rows.find((u) => u.userPrincipalName === upn);
    expect(state(DemoTenant.admin.userPrincipalName)).toMatchObject({
      state: 'refusedByPolicy',
      reason: expect.stringContaining('holds a privileged directory role'),
    });
    // The job itself goes on for the others.
    expect(state(DemoTenant.alice.userPrincipalName)?.state).toMatch(/^(pending|ready)$/);
  });

  it.each<[string, string, RegExp]>([
    ['invalid base64', 'this is not base64!', /neither JSON nor base64/],
    ['a bad schema (users is no list)', b64({ users: 'alice@contoso.com' }), /Invalid job request value for 'users'/],
    [
      'an unknown property',
      b64({ users: ['alice@contoso.com'], priority: 'high' }),
      /Unknown job request property 'priority'/,
    ],
    [
      'both users and groupId',
      b64({ users: ['alice@contoso.com'], groupId: DemoTenant.pilotGroup.id }),
      /exactly one of users/,
    ],
    ['a bad idempotencyKey', b64({ users: ['alice@contoso.com'], idempotencyKey: 'has spaces' }), /'idempotencyKey'/],
    ['an unknown user', b64({ users: ['nobody@contoso.com'] }), /These users do not exist: nobody@contoso\.com/],
  ])(
    'a message with %s lands in the poison queue at once with its reason, and no job exists',
    async (_what, text, reason) => {
      await poison.clearMessages();
      const before = await jobIds();
      const sent = await queue.sendMessage(text);
      const [envelope] = await until('the poison message', async () =>
        (await poisoned()).length ? poisoned() : undefined,
      );
      expect(envelope).toMatchObject({
        reason: expect.stringMatching(reason),
        source: { queue: QUEUE, messageId: sent.messageId, dequeueCount: 1 },
        originalMessage: text,
      });
      await drained();
      expect(await jobIds()).toEqual(before);
    },
  );

  it('a CSV blob starts exactly one job, options from its metadata; a restart does not start it again', async () => {
    const before = await jobIds();
    const csv = 'userPrincipalName,displayName\nalice@contoso.com,Alice Smith\nbob@contoso.com,Bob Jones\n';
    await container.getBlockBlobClient('wave-1.csv').upload(csv, Buffer.byteLength(csv), {
      metadata: {
        displayName: '{displayName} YubiKey',
        challengeTimeoutInMinutes: '120',
        requestedBy: 'it-ops@contoso.com',
      },
    });
    const jobId = await until('the CSV job', async () => (await jobIds()).find((id) => !before.includes(id)));
    const job = await svc.call('GET', `/provisioning/jobs/${jobId}`, { token: admin });
    expect(job.body).toMatchObject({
      totalUsers: 2,
      displayName: '{displayName} YubiKey',
      challengeTimeoutInMinutes: 120,
    });
    // The receipt (as the Functions host keeps them) is what a restart finds.
    const receipts = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      RECEIPTS_CONTAINER,
    );
    await until('the blob receipt', async () => {
      for await (const r of receipts.listBlobsFlat())
        if (r.name.endsWith('/provisioning-requests/wave-1.csv')) return true;
      return undefined;
    });

    await svc.close();
    await start();
    // A new blob after the restart is picked up, so the scan ran over wave-1.csv too by then.
    await container.getBlockBlobClient('wave-2.csv').upload('userPrincipalName\nbob@contoso.com\n', 34 /* bytes */);
    const after = await until('the second CSV job', async () => {
      const ids = (await jobIds()).filter((id) => !before.includes(id));
      return ids.length >= 2 ? ids : undefined;
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(await jobIds()).toEqual([...before, ...after]);
    expect(after).toHaveLength(2);
  });

  it('a bad CSV is reported in the poison queue with the line at fault, and starts no job', async () => {
    await poison.clearMessages();
    const before = await jobIds();
    const csv = 'userPrincipalName,displayName\nalice@contoso.com,Alice\nnot-a-upn,Nobody\n';
    await container.getBlockBlobClient('broken.csv').upload(csv, Buffer.byteLength(csv));
    const [envelope] = await until('the poison message', async () =>
      (await poisoned()).length ? poisoned() : undefined,
    );
    expect(envelope).toMatchObject({
      reason: "provisioning-requests/broken.csv line 3: expected a user principal name, received 'not-a-upn'.",
      source: { blob: 'provisioning-requests/broken.csv', etag: expect.any(String) },
    });
    expect(await jobIds()).toEqual(before);
  });
});
