import { Principal } from '../../domain/auth/principal';
import { DirectoryRoles } from '../../domain/auth/roles';
import { ErrorCodes } from '../../domain/errorCodes';
import { DomainError } from '../../domain/errors';
import { DemoTenant } from '../seedDemoTenant';
import { createProvisioning, FakeOrchestrations } from '../../../test/support/provisioningServices';
import { registrationResponse, UNLISTED_AAGUID } from '../../../test/support/fakeWebAuthn';
import {
  ADMIN_ACTOR,
  createWebAuthnServices,
  refusalOf,
  WebAuthnServices,
} from '../../../test/support/webauthnServices';
import { STORAGE_TRIGGER_APP_ID, storageTriggerPrincipal } from '../../domain/auth/storageTriggerPrincipal';
import { ProvisioningJobService } from './provisioningJobService';
import { requestFingerprint } from './createJob';

const { alice, bob, admin, guest } = DemoTenant;

const app = (permissions: string[]): Principal => ({
  kind: 'application',
  appId: 'station-app',
  permissions,
  roleTemplateIds: [],
  scopes: [],
});
/** May provision anyone, privileged users included (Graph: UserAuthenticationMethod.ReadWrite.All). */
const privilegedApp = app(['UserAuthenticationMethod.ReadWrite.All']);
/** An Authentication Administrator: provisions members, not users holding privileged roles. */
const authenticationAdministrator: Principal = {
  kind: 'delegated',
  userId: '99999999-0000-4000-8000-000000000001',
  userPrincipalName: 'operator@contoso.com',
  permissions: [],
  roleTemplateIds: [DirectoryRoles['Authentication Administrator']],
  scopes: ['user_impersonation'],
};

describe('ProvisioningJobService (sqlite in memory, fake orchestrations and WebAuthn port)', () => {
  let s: WebAuthnServices;
  let jobs: ProvisioningJobService;
  let orchestrations: FakeOrchestrations;
  beforeEach(async () => {
    s = await createWebAuthnServices();
    await s.setPolicy();
    ({ jobs, orchestrations } = createProvisioning(s));
  });
  afterEach(() => s.close());

  const newJob = async (users: string[], principal: Principal = privilegedApp) =>
    (
      await jobs.createJob(
        { users, challengeTimeoutInMinutes: 10, displayName: 'Key of {displayName}' },
        principal,
        orchestrations,
      )
    ).job;
  const rowOf = async (jobId: string, userId: string) => (await s.store.provisioningJobs.getUser(jobId, userId))?.state;
  /** A job of `users`, each prepared by its orchestration (ready, or skipped / refused). */
  async function preparedJob(users: string[], principal: Principal = privilegedApp) {
    const job = await newJob(users, principal);
    for (const upn of users) {
      const user = await s.directory.getUser(upn);
      await jobs.prepareUser(job.id, user.value.id);
    }
    return job;
  }

  describe('createJob', () => {
    it('creates the rows pending, in order, starts the orchestration and records the job', async () => {
      const job = await newJob([alice.userPrincipalName, bob.id, alice.id]);
      expect(job).toMatchObject({
        status: 'running',
        totalUsers: 2,
        source: { users: [alice.userPrincipalName, bob.id, alice.id] },
        createdBy: { appId: 'station-app' },
      });
      const view = await jobs.getJob(job.id, { top: 10 });
      expect(view.users.map((u) => [u.userPrincipalName, u.sequence, u.state])).toEqual([
        [alice.userPrincipalName, 0, 'pending'],
        [bob.userPrincipalName, 1, 'pending'],
      ]);
      expect(orchestrations.named('startJob')).toEqual([[job.id, 2]]);
      expect((await s.store.audit.list({ top: 1 })).items[0]).toMatchObject({
        activityDisplayName: 'Provisioning job created',
        targetResources: [expect.objectContaining({ id: job.id })],
      });
    });

    it("takes a group's members", async () => {
      const { job } = await jobs.createJob(
        { groupId: DemoTenant.pilotGroup.id, challengeTimeoutInMinutes: 10, displayName: 'x' },
        privilegedApp,
        orchestrations,
      );
      expect((await jobs.getJob(job.id, { top: 10 })).users.map((u) => u.userId)).toEqual([alice.id]);
    });

    it.each<[string, () => Promise<unknown>, string]>([
      ['no users', () => newJob([]), 'emptyJob'],
      [
        'a group without members',
        async () => {
          const group = await s.directory.createGroup({ displayName: 'Empty', securityEnabled: true }, ADMIN_ACTOR);
          return jobs.createJob(
            { groupId: group.id, challengeTimeoutInMinutes: 10, displayName: 'x' },
            privilegedApp,
            orchestrations,
          );
        },
        'emptyJob',
      ],
      ['unknown users', () => newJob([alice.userPrincipalName, 'nobody@contoso.com']), 'unknownUsers'],
    ])('refuses %s (400 %s) and starts nothing', async (_title, create, code) => {
      expect(await refusalOf(create())).toMatchObject({ kind: 'badRequest', code });
      expect(orchestrations.named('startJob')).toEqual([]);
    });

    it('attack: a creator who may not act on privileged users gets their rows refused up front', async () => {
      const job = await newJob([admin.userPrincipalName, alice.userPrincipalName], authenticationAdministrator);
      const [adminRow, aliceRow] = (await jobs.getJob(job.id, { top: 10 })).users;
      expect(adminRow).toMatchObject({
        state: 'refusedByPolicy',
        reason: expect.stringContaining('holds a privileged directory role'),
      });
      expect(aliceRow.state).toBe('pending');
    });
  });

  describe('createJob with an idempotency key (queued requests)', () => {
    const request = (idempotencyKey: string, users = [alice.userPrincipalName, bob.userPrincipalName]) => ({
      users,
      challengeTimeoutInMinutes: 10,
      displayName: 'Key of {displayName}',
      idempotencyKey,
    });
    const createdRecords = async () =>
      (await s.store.audit.list({ top: 100 })).items.filter(
        (r) => r.activityDisplayName === 'Provisioning job created',
      );

    it('starts one job for a key however often it is sent, and says which call created it', async () => {
      const first = await jobs.createJob(request('msg:1'), privilegedApp, orchestrations);
      const again = await jobs.createJob(request('msg:1'), privilegedApp, orchestrations);
      expect(first.created).toBe(true);
      expect(again).toEqual({ created: false, job: first.job });
      expect(orchestrations.named('startJob')).toEqual([[first.job.id, 2]]);
      expect(await createdRecords()).toHaveLength(1);
    });

    it('attack: two deliveries racing with the same key start one job and one orchestration', async () => {
      const results = await Promise.all(
        [1, 2, 3].map(() => jobs.createJob(request('msg:race'), privilegedApp, orchestrations)),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
      expect(orchestrations.named('startJob')).toHaveLength(1);
      expect(await createdRecords()).toHaveLength(1);
    });

    it('refuses the key for a different request (409 idempotencyKeyReused), starting nothing more', async () => {
      await jobs.createJob(request('msg:2'), privilegedApp, orchestrations);
      const other = refusalOf(
        jobs.createJob(request('msg:2', [alice.userPrincipalName]), privilegedApp, orchestrations),
      );
      expect(await other).toMatchObject({ kind: 'conflict', code: ErrorCodes.idempotencyKeyReused.code });
      expect(orchestrations.named('startJob')).toHaveLength(1);
    });

    it('a repeat after a crash before the orchestration started starts it (once)', async () => {
      const crashing = new FakeOrchestrations();
      crashing.startJob = async () => {
        throw new Error('process died');
      };
      await expect(jobs.createJob(request('msg:3'), privilegedApp, crashing)).rejects.toThrow('process died');
      expect(await createdRecords()).toHaveLength(0);
      const retry = await jobs.createJob(request('msg:3'), privilegedApp, orchestrations);
      expect(retry.created).toBe(false);
      expect(orchestrations.named('startJob')).toEqual([[retry.job.id, 2]]);
      expect(await createdRecords()).toHaveLength(1);
      await jobs.createJob(request('msg:3'), privilegedApp, orchestrations);
      expect(orchestrations.named('startJob')).toHaveLength(1);
    });

    it('records who asked on the job, and without a key creates a new job each time', async () => {
      const { job } = await jobs.createJob(
        { ...request('unused'), idempotencyKey: undefined, requestedBy: 'helpdesk@contoso.com' },
        privilegedApp,
        orchestrations,
      );
      expect((await jobs.getJob(job.id, { top: 1 })).job.requestedBy).toBe('helpdesk@contoso.com');
      const other = await newJob([alice.userPrincipalName]);
      expect(other.id).not.toBe(job.id);
    });

    it.each([
      ['users in another order', { users: ['b', 'a'] }],
      ['another group', { users: undefined, groupId: 'g2' }],
      ['another timeout', { challengeTimeoutInMinutes: 11 }],
      ['another display name', { displayName: 'other' }],
    ])('the fingerprint tells %s apart, but not who asked', (_title, change) => {
      const base = { users: ['a', 'b'], challengeTimeoutInMinutes: 10, displayName: 'x' };
      expect(requestFingerprint({ ...base, ...change })).not.toBe(requestFingerprint(base));
      expect(requestFingerprint({ ...base, requestedBy: 'someone' })).toBe(requestFingerprint(base));
      expect(requestFingerprint({ ...base, idempotencyKey: 'k' })).toBe(requestFingerprint(base));
    });

    it("attack: a queued job (storage trigger principal) never provisions a Global Administrator's passkey", async () => {
      const { job } = await jobs.createJob(
        {
          ...request('msg:ga', [admin.userPrincipalName, alice.userPrincipalName]),
          requestedBy: 'mallory@contoso.com',
        },
        storageTriggerPrincipal(),
        orchestrations,
      );
      expect(job.createdBy).toEqual({ id: null, userPrincipalName: null, appId: STORAGE_TRIGGER_APP_ID });
      const rows = (await jobs.getJob(job.id, { top: 10 })).users;
      expect(rows.find((r) => r.userId === admin.id)).toMatchObject({
        state: 'refusedByPolicy',
        reason: expect.stringContaining('holds a privileged directory role'),
      });
      expect(rows.find((r) => r.userId === alice.id)?.state).toBe('pending');
      // Preparing the rows (the orchestration) keeps the refusal: the admin never becomes ready for a station.
      for (const row of rows) await jobs.prepareUser(job.id, row.userId);
      expect(await rowOf(job.id, admin.id)).toBe('refusedByPolicy');
    });
  });

  describe('listJobs', () => {
    it('lists newest first, paged with an opaque token', async () => {
      const a = await newJob([alice.id]);
      s.clock.advance(1000);
      const b = await newJob([bob.id]);
      s.clock.advance(1000);
      const c = await newJob([alice.id, bob.id]);
      const first = await jobs.listJobs({ top: 2 });
      expect(first.jobs.map((j) => j.id)).toEqual([c.id, b.id]);
      expect(first.next).toEqual(expect.any(String));
      const second = await jobs.listJobs({ top: 2, skipToken: first.next });
      expect(second).toEqual({ jobs: [a] });
    });

    it('refuses a token it did not hand out (400)', async () => {
      expect(await refusalOf(jobs.listJobs({ top: 2, skipToken: 'forged' }))).toMatchObject({ kind: 'badRequest' });
    });
  });

  describe('getJob', () => {
    it('pages the users by sequence', async () => {
      const job = await newJob([alice.id, bob.id]);
      const first = await jobs.getJob(job.id, { top: 1 });
      expect(first).toMatchObject({
        users: [expect.objectContaining({ userId: alice.id })],
        nextSequence: 0,
        counts: expect.objectContaining({ pending: 2 }),
      });
      expect(
        (await jobs.getJob(job.id, { top: 1, afterSequence: first.nextSequence })).users.map((u) => u.userId),
      ).toEqual([bob.id]);
    });

    it('answers jobNotFound (404) for an unknown job', async () => {
      expect(await refusalOf(jobs.getJob('missing', { top: 1 }))).toMatchObject({
        kind: 'notFound',
        code: 'jobNotFound',
      });
    });
  });

  describe('prepareUser (activity)', () => {
    it.each<[string, string, () => Promise<unknown>, string]>([
      ['a member becomes ready', alice.userPrincipalName, async () => undefined, 'ready'],
      ['a guest is skipped', guest.userPrincipalName, async () => undefined, 'skippedGuest'],
      [
        'a user the policy excludes is refused',
        alice.userPrincipalName,
        () => s.setPolicy({ excludeTargets: [{ targetType: 'group', id: DemoTenant.pilotGroup.id }] }),
        'refusedByPolicy',
      ],
    ])('%s', async (_title, upn, arrange, state) => {
      const job = await newJob([upn]);
      await arrange();
      const { value: user } = await s.directory.getUser(upn);
      expect(await jobs.prepareUser(job.id, user.id)).toBe(state);
      expect(await rowOf(job.id, user.id)).toBe(state);
      // idempotent: a re-run after a crash answers the same
      expect(await jobs.prepareUser(job.id, user.id)).toBe(state);
    });

    it('a user deleted since the job was created fails; an unknown row fails', async () => {
      const job = await newJob([bob.id]);
      await s.directory.deleteUser(bob.id, app(['RoleManagement.ReadWrite.Directory']));
      expect(await jobs.prepareUser(job.id, bob.id)).toBe('failed');
      expect(await jobs.prepareUser(job.id, 'not-in-job')).toBe('failed');
    });
  });

  describe('claimNext, deliverCredential', () => {
    it('hands a station the next ready user with creation options, then registers the delivered key', async () => {
      const job = await preparedJob([alice.userPrincipalName]);
      const claimed = await jobs.claimNext(job.id, 'station-1', orchestrations, privilegedApp);
      expect(claimed).toMatchObject({
        userId: alice.id,
        challengeTimeoutDateTime: new Date(s.clock.now().getTime() + 10 * 60_000).toISOString(),
      });
      expect(orchestrations.named('notifyClaimed')).toEqual([
        [alice.id, { expiresAt: claimed!.challengeTimeoutDateTime }],
      ]);

      const { row, method } = await jobs.deliverCredential(
        job.id,
        alice.id,
        registrationResponse(claimed!.publicKey.challenge, 'provisioned-key'),
        orchestrations,
        privilegedApp,
      );
      expect(row).toMatchObject({ state: 'provisioned', methodId: 'provisioned-key' });
      expect(method).toMatchObject({ id: 'provisioned-key', displayName: `Key of ${alice.displayName}` });
      const added = (await s.store.audit.list({ top: 10 })).items.find((r) =>
        r.activityDisplayName.startsWith('Add Passkey'),
      );
      expect(added?.initiatedBy).toMatchObject({ app: { appId: 'station-app' }, provisioningJob: { id: job.id } });
      expect(await jobs.claimNext(job.id, 'station-1', orchestrations, privilegedApp)).toBeNull();
    });

    it('refuses a disabled account when a station claims it (the registration checks the account), and offers the next user', async () => {
      const job = await preparedJob([bob.userPrincipalName, alice.userPrincipalName]);
      await s.directory.updateUser(bob.id, { accountEnabled: false }, privilegedApp);
      expect((await jobs.claimNext(job.id, 'station-1', orchestrations, privilegedApp))?.userId).toBe(alice.id);
      expect(await s.store.provisioningJobs.getUser(job.id, bob.id)).toMatchObject({
        state: 'refusedByPolicy',
        reason: expect.stringContaining('is disabled'),
      });
    });

    it('attack: a station that may not act on a privileged user has the claim refused, and is offered the next user', async () => {
      const job = await preparedJob([admin.userPrincipalName, alice.userPrincipalName]);
      const claimed = await jobs.claimNext(job.id, 'station-1', orchestrations, authenticationAdministrator);
      expect(claimed?.userId).toBe(alice.id);
      expect(await rowOf(job.id, admin.id)).toBe('refusedByPolicy');
      expect(orchestrations.named('notifyClaimed')[0]).toEqual([
        admin.id,
        { refused: expect.stringContaining('privileged directory role') },
      ]);
    });

    it.each<[string, (jobId: string) => Promise<unknown>, string, string]>([
      [
        'claims from an unknown job',
        () => jobs.claimNext('missing', 'station-1', orchestrations, privilegedApp),
        'notFound',
        'jobNotFound',
      ],
      [
        'claims from a cancelled job',
        async (jobId) => {
          await jobs.cancel(jobId, orchestrations, ADMIN_ACTOR);
          return jobs.claimNext(jobId, 'station-1', orchestrations, privilegedApp);
        },
        'conflict',
        'jobNotRunning',
      ],
      [
        'delivers for a user not in the job',
        (jobId) => jobs.deliverCredential(jobId, bob.id, registrationResponse('c', 'k'), orchestrations, privilegedApp),
        'notFound',
        'jobUserNotFound',
      ],
      [
        'delivers for a user no station claimed',
        (jobId) =>
          jobs.deliverCredential(jobId, alice.id, registrationResponse('c', 'k'), orchestrations, privilegedApp),
        'conflict',
        'userNotClaimed',
      ],
    ])('refuses a station that %s (%s %s)', async (_title, call, kind, code) => {
      const job = await preparedJob([alice.userPrincipalName]);
      expect(await refusalOf(call(job.id))).toMatchObject({ kind, code });
      expect(orchestrations.named('deliverCredential')).toEqual([]);
    });
  });

  describe('registerCredential, markTimedOut (activities)', () => {
    async function claimedAlice() {
      const job = await preparedJob([alice.userPrincipalName]);
      const claimed = await jobs.claimNext(job.id, 'station-1', orchestrations, privilegedApp);
      return { job, response: registrationResponse(claimed!.publicKey.challenge, 'k1') };
    }

    it.each<[string, () => void | Promise<unknown>, string]>([
      [
        'a key the policy refuses is refusedByPolicy',
        () =>
          s.setPolicy({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [UNLISTED_AAGUID] } }),
        'refusedByPolicy',
      ],
      ['a key delivered after its challenge expired is timedOut', () => s.clock.advance(11 * 60_000), 'timedOut'],
      [
        'a response the WebAuthn port refuses fails',
        () => {
          s.webauthn.verifyRegistration = async () => {
            throw new DomainError(ErrorCodes.invalidWebAuthnResponse, 'bad attestation');
          };
        },
        'failed',
      ],
    ])('%s', async (_title, arrange, state) => {
      const { job, response } = await claimedAlice();
      await arrange();
      expect(await jobs.registerCredential(job.id, alice.id, { credential: response, deliveredBy: ADMIN_ACTOR })).toBe(
        state,
      );
      expect(await s.store.provisioningJobs.getUser(job.id, alice.id)).toMatchObject({
        state,
        reason: expect.any(String),
        methodId: null,
      });
      expect(await s.store.credentials.get('k1')).toBeNull();
    });

    it('registers once: a re-run after a crash finds the key and the final row', async () => {
      const { job, response } = await claimedAlice();
      expect(await jobs.registerCredential(job.id, alice.id, response)).toBe('provisioned');
      expect(await jobs.registerCredential(job.id, alice.id, response)).toBe('provisioned');
      expect(await s.methods.list(alice.id)).toHaveLength(1);
    });

    it('a claimed user without a credential times out; a final one stays as it is', async () => {
      const { job } = await claimedAlice();
      expect(await jobs.markTimedOut(job.id, alice.id)).toBe('timedOut');
      expect(await jobs.markTimedOut(job.id, alice.id)).toBe('timedOut');
    });
  });

  describe('cancel, completeJob', () => {
    it('cancels every user without an outcome, stops their orchestrations and records it; a second cancel is jobNotRunning (409)', async () => {
      const job = await preparedJob([alice.userPrincipalName, bob.userPrincipalName, guest.userPrincipalName]);
      await jobs.claimNext(job.id, 'station-1', orchestrations, privilegedApp);
      const cancelled = await jobs.cancel(job.id, orchestrations, ADMIN_ACTOR);
      expect(cancelled.status).toBe('cancelled');
      expect(orchestrations.named('cancelJob')).toEqual([[job.id, [alice.id, bob.id]]]);
      expect([await rowOf(job.id, alice.id), await rowOf(job.id, bob.id), await rowOf(job.id, guest.id)]).toEqual([
        'cancelled',
        'cancelled',
        'skippedGuest',
      ]);
      expect((await s.store.audit.list({ top: 1 })).items[0].activityDisplayName).toBe('Provisioning job cancelled');
      expect(await refusalOf(jobs.cancel(job.id, orchestrations, ADMIN_ACTOR))).toMatchObject({
        kind: 'conflict',
        code: 'jobNotRunning',
      });
    });

    it('completes a job with its counts; a cancelled job stays cancelled', async () => {
      const done = await preparedJob([guest.userPrincipalName]);
      expect(await jobs.completeJob(done.id)).toMatchObject({ skippedGuest: 1 });
      expect((await jobs.getJob(done.id, { top: 1 })).job.status).toBe('completed');

      const stopped = await preparedJob([alice.userPrincipalName]);
      await jobs.cancel(stopped.id, orchestrations, ADMIN_ACTOR);
      expect(await jobs.completeJob(stopped.id)).toMatchObject({ cancelled: 1 });
      expect((await jobs.getJob(stopped.id, { top: 1 })).job.status).toBe('cancelled');
    });
  });
});
