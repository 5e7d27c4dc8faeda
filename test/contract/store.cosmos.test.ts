import { CosmosClient } from '@azure/cosmos';
import { randomUUID } from 'node:crypto';
import { createCosmosStore, CosmosStoreOptions } from '../../shared/adapters/cosmos/store.cosmos';
import { upnDocumentId } from '../../shared/adapters/cosmos/upnIndex.cosmos';
import { User } from '../../shared/domain/directory/directory';
import { Store } from '../../shared/ports/store.port';
import { CosmosTestServer, startCosmosServer } from '../support/cosmosServer';
import { describeStoreContract } from './storeContract';
import { collectPages, Fixtures, idsOf } from './storeContract.fixtures';

/*
 * The store contract over the Cosmos DB adapter: always against cosmosdb-server in process, and also
 * against a real account when COSMOS_TEST_ENDPOINT and COSMOS_TEST_KEY are set (each test then creates
 * and deletes its own database: slow, and it costs RUs).
 */

let server: CosmosTestServer;
beforeAll(async () => {
  server = await startCosmosServer();
});
afterAll(async () => {
  await server?.close();
});

const local = (): Omit<CosmosStoreOptions, 'databaseId'> => ({ endpoint: server.endpoint, key: server.key });

// cosmosdb-server keeps everything in memory until it closes, so its databases need no clean-up.
describeStoreContract('cosmos (cosmosdb-server)', () =>
  createCosmosStore({ ...local(), databaseId: `contract-${randomUUID()}` }),
);

const real =
  process.env.COSMOS_TEST_ENDPOINT && process.env.COSMOS_TEST_KEY
    ? { endpoint: process.env.COSMOS_TEST_ENDPOINT, key: process.env.COSMOS_TEST_KEY }
    : undefined;

if (real) {
  jest.setTimeout(120_000);
  const databaseOf = new WeakMap<Store, string>();
  describeStoreContract(
    'cosmos (real account)',
    async () => {
      const databaseId = `passkey-contract-${randomUUID()}`;
      const store = await createCosmosStore({ ...real, databaseId });
      databaseOf.set(store, databaseId);
      return store;
    },
    async (store) => {
      await store.close();
      const client = new CosmosClient(real);
      try {
        await client.database(databaseOf.get(store)!).delete();
      } finally {
        client.dispose();
      }
    },
  );
}

/** What the contract cannot see: crash recovery, batching and Cosmos-only settings. */
describe('Cosmos store adapter specifics (cosmosdb-server)', () => {
  let client: CosmosClient;
  let data: Fixtures;
  const stores: Store[] = [];
  const open = async (databaseId: string, options: Partial<CosmosStoreOptions> = {}) => {
    const store = await createCosmosStore({ ...local(), databaseId, ...options });
    stores.push(store);
    return store;
  };

  beforeAll(() => {
    client = new CosmosClient({ ...local(), connectionPolicy: { enableEndpointDiscovery: false } });
  });
  beforeEach(() => {
    data = new Fixtures();
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });
  afterAll(() => client.dispose());

  const leaveReservation = (databaseId: string, upn: string, userId: string) =>
    client
      .database(databaseId)
      .container('userUpns')
      .items.create({ id: upnDocumentId(upn), userId, userPrincipalName: upn.toLowerCase() });

  it('counts in the AAGUID inventory the passkeys stored before its markers existed (one-time backfill)', async () => {
    const databaseId = `backfill-${randomUUID()}`;
    const store = await open(databaseId);
    const [ada, bob] = [randomUUID(), randomUUID()];
    const older = [
      data.credential(ada),
      data.credential(ada),
      data.credential(bob, { aaGuid: 'de1e552d-db1d-4423-a619-566b625cdc84' }),
    ];
    // Written as an older version did: the credential documents only.
    for (const c of older)
      await client
        .database(databaseId)
        .container('credentials')
        .items.create({ ...c });
    const rows = await store.credentials.usageByAaguid();
    expect(rows.map((r) => [r.aaGuid, r.passkeys, r.users])).toEqual([
      ['cb69481e-8ff7-4039-93ec-0a2729a154a8', 2, 1],
      ['de1e552d-db1d-4423-a619-566b625cdc84', 1, 1],
    ]);
    // Once: a passkey written behind the store's back later is not picked up by another scan.
    await client
      .database(databaseId)
      .container('credentials')
      .items.create({ ...data.credential(bob) });
    expect((await store.credentials.usageByAaguid()).map((r) => r.users)).toEqual([1, 1]);
  });

  it('opens an existing database without losing its data', async () => {
    const databaseId = `reopen-${randomUUID()}`;
    const user = data.user();
    await (await open(databaseId)).directory.createUser(user, data.audit());
    expect((await (await open(databaseId)).directory.getUserById(user.id))?.value).toEqual(user);
  });

  it('keeps a fresh UPN reservation whose user does not exist yet (a write in progress)', async () => {
    const databaseId = `fresh-${randomUUID()}`;
    const store = await open(databaseId);
    await leaveReservation(databaseId, 'pending@contoso.com', randomUUID());
    await expect(
      store.directory.createUser(data.user({ userPrincipalName: 'Pending@contoso.com' }), data.audit()),
    ).rejects.toMatchObject({
      kind: 'conflict',
    });
  });

  it('reclaims a stale UPN reservation left over by a crashed write', async () => {
    const databaseId = `stale-${randomUUID()}`;
    const store = await open(databaseId, { staleUpnReservationSeconds: 0 });
    await leaveReservation(databaseId, 'orphan@contoso.com', randomUUID());
    const user = data.user({ userPrincipalName: 'Orphan@contoso.com' });
    await store.directory.createUser(user, data.audit());
    expect((await store.directory.getUserByUpn('orphan@contoso.com'))?.value).toEqual(user);
  });

  it('completes a retried create whose UPN this user already reserved before a crash', async () => {
    const databaseId = `retry-${randomUUID()}`;
    const store = await open(databaseId);
    const user = data.user();
    await leaveReservation(databaseId, user.userPrincipalName, user.id);
    await store.directory.createUser(user, data.audit());
    expect((await store.directory.getUserByUpn(user.userPrincipalName))?.value).toEqual(user);
  });

  it('lists the members of a group larger than one membership batch, filtered and paged', async () => {
    const store = await open(`members-${randomUUID()}`);
    const group = data.group();
    await store.directory.createGroup(group, data.audit());
    const users: User[] = [];
    for (let n = 0; n < 230; n++) {
      const user = data.user({
        id: `${String(n).padStart(8, '0')}-0000-4000-8000-000000000000`,
        displayName: n >= 227 ? `Late ${n}` : `Early ${n}`,
      });
      users.push(user);
    }
    await Promise.all(users.map((u) => store.directory.createUser(u, data.audit())));
    await Promise.all(users.map((u) => store.directory.addMember(group.id, u.id, data.audit())));

    const all = await collectPages((after) => store.directory.listMembers(group.id, { filter: [], top: 60, after }));
    expect(all.map((p) => p.length)).toEqual([60, 60, 60, 50]);
    expect(idsOf(all.flat())).toEqual(idsOf(users));

    const late = await collectPages((after) =>
      store.directory.listMembers(group.id, {
        filter: [{ field: 'displayName', op: 'startswith', value: 'late' }],
        top: 2,
        after,
      }),
    );
    expect(late.map((p) => p.length)).toEqual([2, 1]);
    expect(idsOf(late.flat())).toEqual(idsOf(users.slice(227)));
  });

  it('gives consumed challenges a TTL in a container with TTL on, for real Cosmos DB to expire them', async () => {
    const databaseId = `ttl-${randomUUID()}`;
    const store = await open(databaseId);
    await store.challenges.consume('with-ttl', new Date(Date.now() + 5 * 60_000));
    const container = client.database(databaseId).container('consumedChallenges');
    expect((await container.read()).resource?.defaultTtl).toBe(-1);
    const { resource } = await container.item('with-ttl', 'with-ttl').read();
    expect(resource.ttl).toBeGreaterThanOrEqual(5 * 60);
  });

  describe('idempotency key markers (no transactional batch: the marker is written first)', () => {
    const T0 = '2030-06-01T10:00:00.000Z';
    const later = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
    const keyedJob = (key: string, createdDateTime: string, requestFingerprint = 'fp') => ({
      id: randomUUID(),
      status: 'running' as const,
      createdDateTime,
      lastUpdatedDateTime: createdDateTime,
      createdBy: { id: null, userPrincipalName: null, appId: 'queue' },
      challengeTimeoutInMinutes: 15,
      displayNameTemplate: '{displayName} key',
      source: { users: ['a@contoso.com'] },
      totalUsers: 1,
      idempotencyKey: key,
      requestFingerprint,
    });
    const rowOf = (jobId: string, userId: string, createdDateTime: string) => ({
      jobId,
      userId,
      userPrincipalName: 'a@contoso.com',
      displayName: 'A',
      sequence: 0,
      state: 'pending' as const,
      reason: null,
      creationOptions: null,
      challengeExpiresDateTime: null,
      claimedBy: null,
      methodId: null,
      updatedDateTime: createdDateTime,
    });
    /** What a writer that crashed after its marker and one row left behind. */
    async function crashedWriter(databaseId: string, key: string, fingerprint = 'fp') {
      const jobId = randomUUID();
      const strayUser = randomUUID();
      const db = client.database(databaseId);
      await db.container('provisioningJobs').items.create({
        id: `idempotencyKey:${key}`,
        jobId,
        requestFingerprint: fingerprint,
        claimedDateTime: T0,
      });
      await db.container('provisioningJobUsers').items.create({ id: strayUser, ...rowOf(jobId, strayUser, T0) });
      return { jobId, strayUser };
    }

    it('tells a retry to wait while the first writer may still be writing', async () => {
      const databaseId = `keys-${randomUUID()}`;
      const store = await open(databaseId);
      await crashedWriter(databaseId, 'k1');
      const retry = keyedJob('k1', later(30_000));
      await expect(
        store.provisioningJobs.create(retry, [rowOf(retry.id, randomUUID(), retry.createdDateTime)]),
      ).rejects.toMatchObject({
        code: 'idempotencyKeyInProgress',
      });
      expect(await store.provisioningJobs.findByIdempotencyKey('k1')).toBeNull();
      expect(await store.provisioningJobs.get(retry.id)).toBeNull();
    });

    it("finishes a crashed writer's job under its job id, without its stray rows", async () => {
      const databaseId = `keys-${randomUUID()}`;
      const store = await open(databaseId);
      const { jobId, strayUser } = await crashedWriter(databaseId, 'k2');
      const retry = keyedJob('k2', later(5 * 60_000));
      const user = randomUUID();
      const result = await store.provisioningJobs.create(retry, [rowOf(retry.id, user, retry.createdDateTime)]);
      expect(result).toEqual({ created: true, job: { ...retry, id: jobId } });
      expect(await store.provisioningJobs.findByIdempotencyKey('k2')).toEqual({ ...retry, id: jobId });
      expect(await store.provisioningJobs.getUser(jobId, strayUser)).toBeNull();
      expect((await store.provisioningJobs.getUser(jobId, user))?.state).toBe('pending');
      expect(await store.provisioningJobs.get(retry.id)).toBeNull();
      // And the next repeat finds it.
      const again = keyedJob('k2', later(6 * 60_000));
      expect(await store.provisioningJobs.create(again, [])).toEqual({ created: false, job: { ...retry, id: jobId } });
    });

    it("refuses a crashed writer's key for a different request (idempotencyKeyReused)", async () => {
      const databaseId = `keys-${randomUUID()}`;
      const store = await open(databaseId);
      await crashedWriter(databaseId, 'k3', 'fp-first');
      const other = keyedJob('k3', later(5 * 60_000), 'fp-other');
      await expect(store.provisioningJobs.create(other, [])).rejects.toMatchObject({ code: 'idempotencyKeyReused' });
    });
  });
});
