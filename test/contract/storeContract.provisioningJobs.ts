import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { randomUUID } from 'node:crypto';
import { JobUserCounts, ProvisioningJob, ProvisioningJobUser } from '../../shared/ports/provisioningJobs.port';
import { ContractContext, expectConflict } from './storeContract.fixtures';

/** Every state at 0: counts must name each state, not only the ones present. */
const NO_USERS: JobUserCounts = {
  pending: 0,
  ready: 0,
  claimed: 0,
  provisioned: 0,
  skippedGuest: 0,
  refusedByPolicy: 0,
  timedOut: 0,
  failed: 0,
  cancelled: 0,
};

/**
 * Bulk provisioning jobs: the job and its user rows read back unchanged, rows listed in sequence
 * order, and row moves that are conditional, so a user is never claimed or finished twice.
 */
export function provisioningJobContract(ctx: ContractContext): void {
  describe('provisioning jobs', () => {
    const jobs = () => ctx.store.provisioningJobs;

    function job(overrides: Partial<ProvisioningJob> = {}): ProvisioningJob {
      const createdDateTime = ctx.data.nextTime();
      return {
        id: randomUUID(),
        status: 'running',
        createdDateTime,
        lastUpdatedDateTime: createdDateTime,
        createdBy: { id: randomUUID(), userPrincipalName: 'admin@contoso.com', appId: null },
        challengeTimeoutInMinutes: 15,
        displayNameTemplate: '{displayName} security key',
        source: { groupId: randomUUID() },
        totalUsers: 0,
        ...overrides,
      };
    }

    /**
     * `count` pending rows with sequence 0..count-1. User ids sort in the reverse of sequence order,
     * so a store that orders by id (or by insertion: see `shuffled`) is caught.
     */
    function rows(jobId: string, count: number): ProvisioningJobUser[] {
      const updatedDateTime = ctx.data.nextTime();
      return Array.from({ length: count }, (_, sequence) => {
        const userId = `${String(99_999_999 - sequence).padStart(8, '0')}-0000-4000-8000-${randomUUID().slice(-12)}`;
        return {
          jobId,
          userId,
          userPrincipalName: `user${sequence}@contoso.com`,
          displayName: `User ${sequence}`,
          sequence,
          state: 'pending',
          reason: null,
          creationOptions: null,
          challengeExpiresDateTime: null,
          claimedBy: null,
          methodId: null,
          updatedDateTime,
        };
      });
    }

    /** Neither sequence order nor its reverse: odd sequences first, then even. */
    const shuffled = <T>(items: T[]) => [
      ...items.filter((_, i) => i % 2 === 1),
      ...items.filter((_, i) => i % 2 === 0),
    ];

    /** Creates a job of `count` pending users, passing the rows out of order. */
    async function createJob(count: number, overrides: Partial<ProvisioningJob> = {}) {
      const created = job({ totalUsers: count, ...overrides });
      const users = rows(created.id, count);
      await jobs().create(created, shuffled(users));
      return { job: created, users };
    }

    /** Moves rows pending → ready through the store, in the order given; returns them as stored. */
    async function makeReady(users: ProvisioningJobUser[]): Promise<ProvisioningJobUser[]> {
      const ready: ProvisioningJobUser[] = [];
      for (const user of users) {
        const moved = await jobs().transition(user.jobId, user.userId, ['pending'], 'ready', {
          updatedDateTime: ctx.data.nextTime(),
        });
        if (!moved)
          throw new Error(`Expected user ${user.userId} (sequence ${user.sequence}) to move from pending to ready`);
        ready.push(moved);
      }
      return ready;
    }

    const creationOptions = (userId: string): PublicKeyCredentialCreationOptionsJSON => ({
      rp: { name: 'Contoso', id: 'contoso.com' },
      user: { id: Buffer.from(userId).toString('base64url'), name: 'user@contoso.com', displayName: 'User' },
      challenge: randomUUID().replace(/-/g, ''),
      pubKeyCredParams: [
        { alg: -7, type: 'public-key' },
        { alg: -257, type: 'public-key' },
      ],
      timeout: 900_000,
      excludeCredentials: [{ id: 'AAEC', type: 'public-key', transports: ['usb', 'nfc'] }],
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      attestation: 'direct',
    });

    const sequencesOf = (users: ProvisioningJobUser[]) => users.map((u) => u.sequence);

    it('creates a job with its user rows and reads both back unchanged, scoped to the job', async () => {
      const byGroup = await createJob(3, { createdBy: { id: null, userPrincipalName: null, appId: randomUUID() } });
      const byList = await createJob(2, {
        source: { users: ['a@contoso.com', randomUUID()] },
        challengeTimeoutInMinutes: 60,
      });

      expect(await jobs().get(byGroup.job.id)).toEqual(byGroup.job);
      expect(await jobs().get(byList.job.id)).toEqual(byList.job);
      for (const { users } of [byGroup, byList]) {
        for (const user of users) expect(await jobs().getUser(user.jobId, user.userId)).toEqual(user);
      }

      expect(await jobs().get(randomUUID())).toBeNull();
      expect(await jobs().getUser(byGroup.job.id, randomUUID())).toBeNull();
      // A user of one job is not a user of another.
      expect(await jobs().getUser(byList.job.id, byGroup.users[0].userId)).toBeNull();
      expect(await jobs().getUser(randomUUID(), byGroup.users[0].userId)).toBeNull();
    });

    it('creates a job without users', async () => {
      const { job: empty } = await createJob(0);
      expect(await jobs().get(empty.id)).toEqual(empty);
      expect(await jobs().listUsers(empty.id, { top: 10 })).toEqual([]);
      expect(await jobs().counts(empty.id)).toEqual(NO_USERS);
    });

    it('refuses a job id that exists, keeping the first job and its rows as they are', async () => {
      const first = await createJob(2);
      const [moved] = await makeReady([first.users[1]]);
      const again = job({ id: first.job.id, status: 'cancelled', totalUsers: 1 });

      await expectConflict(jobs().create(again, rows(again.id, 1)), 'Request_BadRequest');
      expect(await jobs().get(first.job.id)).toEqual(first.job);
      expect(await jobs().getUser(first.job.id, first.users[0].userId)).toEqual(first.users[0]);
      expect(await jobs().getUser(first.job.id, first.users[1].userId)).toEqual(moved);
      expect(await jobs().counts(first.job.id)).toEqual({ ...NO_USERS, pending: 1, ready: 1 });
    });

    it('refuses rows of another job or a user listed twice, writing nothing', async () => {
      const foreign = job({ totalUsers: 2 });
      const foreignRows = rows(foreign.id, 2);
      foreignRows[1] = { ...foreignRows[1], jobId: randomUUID() };
      await expect(jobs().create(foreign, foreignRows)).rejects.toThrow(foreignRows[1].userId);

      const twice = job({ totalUsers: 3 });
      const twiceRows = rows(twice.id, 2);
      twiceRows.push({ ...twiceRows[0], sequence: 2 });
      await expect(jobs().create(twice, twiceRows)).rejects.toThrow(twiceRows[0].userId);

      for (const [refused, refusedRows] of [
        [foreign, foreignRows],
        [twice, twiceRows],
      ] as const) {
        expect(await jobs().get(refused.id)).toBeNull();
        expect(await jobs().getUser(refused.id, refusedRows[0].userId)).toBeNull();
        expect(await jobs().counts(refused.id)).toEqual(NO_USERS);
      }
    });

    it('lists rows in sequence order, keyset-paged by sequence, and only those of the job', async () => {
      const { job: created, users } = await createJob(7);
      await createJob(3);

      expect(await jobs().listUsers(created.id, { top: 3 })).toEqual(users.slice(0, 3));
      expect(await jobs().listUsers(created.id, { top: 3, afterSequence: 2 })).toEqual(users.slice(3, 6));
      expect(await jobs().listUsers(created.id, { top: 3, afterSequence: 5 })).toEqual(users.slice(6));
      expect(await jobs().listUsers(created.id, { top: 3, afterSequence: 6 })).toEqual([]);
      expect(await jobs().listUsers(created.id, { top: 100 })).toEqual(users);
      expect(await jobs().listUsers(randomUUID(), { top: 100 })).toEqual([]);
    });

    it('lists only the rows in the state asked for, still in sequence order and paged', async () => {
      const { job: created, users } = await createJob(7);
      const ready = await makeReady([users[5], users[1], users[4]]);
      const [readyAt1, readyAt4, readyAt5] = [ready[1], ready[2], ready[0]];

      expect(await jobs().listUsers(created.id, { top: 2, state: 'ready' })).toEqual([readyAt1, readyAt4]);
      expect(await jobs().listUsers(created.id, { top: 2, state: 'ready', afterSequence: 4 })).toEqual([readyAt5]);
      expect(await jobs().listUsers(created.id, { top: 2, state: 'ready', afterSequence: 1 })).toEqual([
        readyAt4,
        readyAt5,
      ]);
      expect(sequencesOf(await jobs().listUsers(created.id, { top: 10, state: 'pending' }))).toEqual([0, 2, 3, 6]);
      expect(await jobs().listUsers(created.id, { top: 10, state: 'claimed' })).toEqual([]);
    });

    it('refuses a page size that is not a positive integer', async () => {
      const { job: created } = await createJob(1);
      await expect(jobs().listUsers(created.id, { top: 0 })).rejects.toThrow(RangeError);
      await expect(jobs().listUsers(created.id, { top: 1.5 })).rejects.toThrow(RangeError);
    });

    it('counts the rows of the job in every state, naming each state', async () => {
      const { job: created, users } = await createJob(6);
      await createJob(4);
      expect(await jobs().counts(created.id)).toEqual({ ...NO_USERS, pending: 6 });

      await makeReady(users.slice(0, 4));
      const at = ctx.data.nextTime();
      await jobs().transition(created.id, users[0].userId, ['ready'], 'claimed', {
        claimedBy: 'station-1',
        updatedDateTime: at,
      });
      await jobs().transition(created.id, users[1].userId, ['ready'], 'skippedGuest', {
        reason: 'Guest user',
        updatedDateTime: at,
      });
      await jobs().transition(created.id, users[4].userId, ['pending'], 'cancelled', { updatedDateTime: at });

      expect(await jobs().counts(created.id)).toEqual({
        ...NO_USERS,
        pending: 1,
        ready: 2,
        claimed: 1,
        skippedGuest: 1,
        cancelled: 1,
      });
      expect(await jobs().counts(randomUUID())).toEqual(NO_USERS);
    });

    it('moves a row from an allowed state, changing only the given fields, and reads the move back', async () => {
      const { job: created, users } = await createJob(2);
      const [user, other] = users;

      const readyAt = ctx.data.nextTime();
      const ready = await jobs().transition(created.id, user.userId, ['pending'], 'ready', {
        updatedDateTime: readyAt,
      });
      expect(ready).toEqual({ ...user, state: 'ready', updatedDateTime: readyAt });
      expect(await jobs().getUser(created.id, user.userId)).toEqual(ready);

      const claimedAt = ctx.data.nextTime();
      const claimed = await jobs().transition(created.id, user.userId, ['ready'], 'claimed', {
        claimedBy: 'station-7',
        updatedDateTime: claimedAt,
      });
      expect(claimed).toEqual({ ...ready, state: 'claimed', claimedBy: 'station-7', updatedDateTime: claimedAt });

      // Same state to same state: the station's creation options arrive after the claim.
      const options = creationOptions(user.userId);
      const expiresAt = ctx.data.time(900);
      const offered = await jobs().transition(created.id, user.userId, ['claimed'], 'claimed', {
        creationOptions: options,
        challengeExpiresDateTime: expiresAt,
      });
      expect(offered).toEqual({ ...claimed, creationOptions: options, challengeExpiresDateTime: expiresAt });
      expect(await jobs().getUser(created.id, user.userId)).toEqual(offered);

      // Any of several `from` states; null clears a field.
      const doneAt = ctx.data.nextTime();
      const done = await jobs().transition(created.id, user.userId, ['ready', 'claimed'], 'provisioned', {
        methodId: 'method-1',
        creationOptions: null,
        challengeExpiresDateTime: null,
        reason: 'Registered by station-7',
        updatedDateTime: doneAt,
      });
      const expected: ProvisioningJobUser = {
        ...offered!,
        state: 'provisioned',
        methodId: 'method-1',
        creationOptions: null,
        challengeExpiresDateTime: null,
        reason: 'Registered by station-7',
        updatedDateTime: doneAt,
      };
      expect(done).toEqual(expected);
      expect(await jobs().getUser(created.id, user.userId)).toEqual(expected);
      expect(await jobs().getUser(created.id, other.userId)).toEqual(other);
    });

    it('refuses to move a row that is not in one of the expected states, leaving it unchanged', async () => {
      const { job: created, users } = await createJob(2);
      const [user] = users;
      const at = ctx.data.nextTime();

      expect(
        await jobs().transition(created.id, user.userId, ['ready', 'claimed'], 'provisioned', {
          methodId: 'm',
          updatedDateTime: at,
        }),
      ).toBeNull();
      expect(await jobs().transition(created.id, user.userId, [], 'ready', { updatedDateTime: at })).toBeNull();
      expect(await jobs().getUser(created.id, user.userId)).toEqual(user);

      const [ready] = await makeReady([user]);
      expect(
        await jobs().transition(created.id, user.userId, ['pending'], 'ready', {
          reason: 'again',
          updatedDateTime: at,
        }),
      ).toBeNull();
      expect(await jobs().getUser(created.id, user.userId)).toEqual(ready);

      expect(
        await jobs().transition(created.id, randomUUID(), ['pending'], 'ready', { updatedDateTime: at }),
      ).toBeNull();
      expect(
        await jobs().transition(randomUUID(), user.userId, ['ready'], 'claimed', { updatedDateTime: at }),
      ).toBeNull();
      expect(await jobs().counts(created.id)).toEqual({ ...NO_USERS, pending: 1, ready: 1 });
    });

    it('lets exactly one of many concurrent moves of the same row win', async () => {
      const { job: created, users } = await createJob(1);
      const [user] = users;
      await makeReady([user]);
      await jobs().transition(created.id, user.userId, ['ready'], 'claimed', {
        claimedBy: 'station-1',
        updatedDateTime: ctx.data.nextTime(),
      });

      const at = ctx.data.nextTime();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          jobs().transition(created.id, user.userId, ['claimed'], i % 2 === 0 ? 'provisioned' : 'timedOut', {
            methodId: `method-${i}`,
            updatedDateTime: at,
          }),
        ),
      );
      const winners = results.filter((r): r is ProvisioningJobUser => r !== null);
      expect(winners).toHaveLength(1);
      expect(await jobs().getUser(created.id, user.userId)).toEqual(winners[0]);
    });

    it('claims the ready row with the lowest sequence first, for the station, until none is ready', async () => {
      const { job: created, users } = await createJob(6);
      const other = await createJob(2);
      await makeReady(other.users);
      const [at4, at1, at3] = await makeReady([users[4], users[1], users[3]]);

      const claims: ProvisioningJobUser[] = [];
      for (const [n, expected] of [at1, at3, at4].entries()) {
        const at = ctx.data.nextTime();
        const claimed = await jobs().claimNextReady(created.id, `station-${n}`, at);
        expect(claimed).toEqual({ ...expected, state: 'claimed', claimedBy: `station-${n}`, updatedDateTime: at });
        expect(await jobs().getUser(created.id, expected.userId)).toEqual(claimed);
        claims.push(claimed!);
      }
      expect(await jobs().claimNextReady(created.id, 'station-9', ctx.data.nextTime())).toBeNull();
      expect(sequencesOf(await jobs().listUsers(created.id, { top: 10, state: 'pending' }))).toEqual([0, 2, 5]);
      expect(await jobs().counts(other.job.id)).toEqual({ ...NO_USERS, ready: 2 });
      expect(await jobs().claimNextReady(randomUUID(), 'station-1', ctx.data.nextTime())).toBeNull();
    });

    it('gives each ready row to exactly one of many stations claiming at once', async () => {
      const { job: created, users } = await createJob(8);
      const ready = users.filter((u) => u.sequence % 3 !== 0); // 5 of 8
      await makeReady(ready);

      const at = ctx.data.nextTime();
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, n) => jobs().claimNextReady(created.id, `station-${n}`, at)),
      );
      const claimed = results.filter((r): r is ProvisioningJobUser => r !== null);

      expect(claimed).toHaveLength(5);
      expect(results.filter((r) => r === null)).toHaveLength(5);
      expect(new Set(claimed.map((c) => c.userId)).size).toBe(5);
      expect(claimed.map((c) => c.userId).sort()).toEqual(ready.map((u) => u.userId).sort());
      expect(new Set(claimed.map((c) => c.claimedBy)).size).toBe(5);
      for (const c of claimed) expect(await jobs().getUser(created.id, c.userId)).toEqual(c);
      expect(await jobs().counts(created.id)).toEqual({ ...NO_USERS, pending: 3, claimed: 5 });
    });

    it('finishes a running job once: status and last update change, nothing else; a finished job stays as it is', async () => {
      const { job: created, users } = await createJob(1);
      const at = ctx.data.nextTime();
      expect(await jobs().finish(created.id, 'cancelled', at)).toBe(true);
      expect(await jobs().get(created.id)).toEqual({ ...created, status: 'cancelled', lastUpdatedDateTime: at });
      expect(await jobs().getUser(created.id, users[0].userId)).toEqual(users[0]);
      // The job's own completion arriving after the cancel does not overwrite it.
      expect(await jobs().finish(created.id, 'completed', ctx.data.nextTime())).toBe(false);
      expect((await jobs().get(created.id))?.status).toBe('cancelled');

      const unknown = randomUUID();
      expect(await jobs().finish(unknown, 'completed', at)).toBe(false);
      expect(await jobs().get(unknown)).toBeNull();
    });

    it('lets exactly one of a racing cancel and completion finish the job', async () => {
      const { job: created } = await createJob(1);
      const results = await Promise.all([
        jobs().finish(created.id, 'cancelled', ctx.data.nextTime()),
        jobs().finish(created.id, 'completed', ctx.data.nextTime()),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await jobs().get(created.id))?.status).toBe(results[0] ? 'cancelled' : 'completed');
    });

    it('creates a job of hundreds of users whole, and pages through them all', async () => {
      const count = 450;
      const { job: created, users } = await createJob(count);
      expect(await jobs().get(created.id)).toEqual(created);
      expect(await jobs().counts(created.id)).toEqual({ ...NO_USERS, pending: count });

      const listed: ProvisioningJobUser[] = [];
      for (let afterSequence: number | undefined; ;) {
        const page = await jobs().listUsers(created.id, { top: 100, afterSequence });
        listed.push(...page);
        if (page.length < 100) break;
        afterSequence = page[page.length - 1].sequence;
      }
      expect(listed).toEqual(users);
    });

    describe('idempotency keys and who asked', () => {
      const keyed = (key: string, overrides: Partial<ProvisioningJob> = {}) =>
        job({ idempotencyKey: key, requestFingerprint: 'fp-1', requestedBy: 'requester@contoso.com', ...overrides });

      it('stores the key, fingerprint and requester, and finds the job by its key', async () => {
        const key = `key:${randomUUID()}`;
        const first = keyed(key, { totalUsers: 2 });
        expect(await jobs().create(first, rows(first.id, 2))).toEqual({ created: true, job: first });
        expect(await jobs().get(first.id)).toEqual(first);
        expect(await jobs().findByIdempotencyKey(key)).toEqual(first);
        expect(await jobs().findByIdempotencyKey(`key:${randomUUID()}`)).toBeNull();
      });

      it('a job without key or requester reads back without them', async () => {
        const { job: plain } = await createJob(1);
        const read = await jobs().get(plain.id);
        expect(read).toEqual(plain);
        expect(read).not.toHaveProperty('idempotencyKey');
        expect(read).not.toHaveProperty('requestedBy');
      });

      it('a second create with the same key writes nothing and answers the first job', async () => {
        const key = `key:${randomUUID()}`;
        const first = keyed(key, { totalUsers: 1 });
        const firstRows = rows(first.id, 1);
        await jobs().create(first, firstRows);
        const second = keyed(key, { totalUsers: 2, requestFingerprint: 'fp-2' });
        const secondRows = rows(second.id, 2);
        expect(await jobs().create(second, secondRows)).toEqual({ created: false, job: first });
        expect(await jobs().get(second.id)).toBeNull();
        for (const user of secondRows) expect(await jobs().getUser(second.id, user.userId)).toBeNull();
        expect(await jobs().listUsers(first.id, { top: 10 })).toEqual(firstRows);
      });

      it('attack: two creates racing with the same key start exactly one job', async () => {
        const key = `race:${randomUUID()}`;
        const racers = Array.from({ length: 4 }, () => keyed(key, { totalUsers: 3 }));
        const results = await Promise.allSettled(racers.map((r) => jobs().create(r, rows(r.id, 3))));
        const created = results.flatMap((r) => (r.status === 'fulfilled' && r.value.created ? [r.value.job] : []));
        expect(created).toHaveLength(1);
        const [winner] = created;
        for (const r of results) {
          // A loser either finds the winner or (Cosmos, while the winner is still writing) is told to retry.
          if (r.status === 'fulfilled') expect(r.value.job).toEqual(winner);
          else expect(r.reason).toMatchObject({ code: 'idempotencyKeyInProgress' });
        }
        expect(await jobs().findByIdempotencyKey(key)).toEqual(winner);
        for (const racer of racers.filter((r) => r.id !== winner.id)) expect(await jobs().get(racer.id)).toBeNull();
        expect(await jobs().counts(winner.id)).toEqual({ ...NO_USERS, pending: 3 });
        // Once the winner is written, a retry of a loser finds it.
        const retry = keyed(key, { totalUsers: 3 });
        expect(await jobs().create(retry, rows(retry.id, 3))).toEqual({ created: false, job: winner });
      });
    });

    describe('listing jobs', () => {
      /** Later than any job other tests create, so the jobs a test creates here are the newest. */
      let ticks = 0;
      const newer = () => new Date(Date.UTC(2090, 0, 1) + ++ticks * 1000).toISOString();
      const at = (t: string) => ({ createdDateTime: t, lastUpdatedDateTime: t });

      it('lists newest first (id breaks ties), keyset-paged, without the key markers', async () => {
        const oldest = await createJob(0, at(newer()));
        const same = newer();
        const ids = [randomUUID(), randomUUID()].sort();
        // Created high id first: the order must come from the ids, not from insertion.
        const tiedHigh = await createJob(0, { id: ids[1], ...at(same) });
        const tiedLow = await createJob(0, { id: ids[0], ...at(same) });
        const keyedJob = await createJob(1, {
          idempotencyKey: `list:${randomUUID()}`,
          requestFingerprint: 'fp',
          ...at(newer()),
        });
        const newest = await createJob(2, at(newer()));
        const expected = [newest.job, keyedJob.job, tiedHigh.job, tiedLow.job, oldest.job];

        const listed: ProvisioningJob[] = [];
        let after: { createdDateTime: string; id: string } | undefined;
        while (listed.length < expected.length) {
          const page = await jobs().list({ top: 2, after });
          expect(page.length).toBeLessThanOrEqual(2);
          if (page.length === 0) break;
          listed.push(...page);
          const last = page[page.length - 1];
          after = { createdDateTime: last.createdDateTime, id: last.id };
        }
        expect(listed.slice(0, expected.length)).toEqual(expected);
      });

      it('a finished job keeps its place in the listing', async () => {
        const older = await createJob(0, at(newer()));
        const { job: finished } = await createJob(0, at(newer()));
        expect(await jobs().finish(finished.id, 'completed', ctx.data.nextTime())).toBe(true);
        const [first, second] = await jobs().list({ top: 2 });
        expect(first).toMatchObject({ id: finished.id, status: 'completed' });
        expect(second).toEqual(older.job);
      });

      it('refuses a page size that is not a positive integer', async () => {
        await expect(jobs().list({ top: 0 })).rejects.toThrow(RangeError);
      });
    });
  });
}
