import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { createSqliteStore } from '../../shared/adapters/sqlite/store.sqlite';
import { PolicyService } from '../../shared/services/policyService';
import { auditRecord } from '../../shared/domain/auditRecords';
import { EventTypes } from '../../shared/domain/events/eventTypes';
import { systemClock } from '../../shared/ports/clock.port';
import { authenticationOptions, register, setPolicy, YUBIKEY_5 } from '../support/ceremonies';
import { CountingStore, countingStore } from '../support/countingStore';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';

/**
 * Issue 10: the store operations of each ceremony, counted over the SQLite store through the HTTP
 * routes (not timed). A change that adds a read or a write to a ceremony fails here; a change that
 * removes one updates the figures (and docs/benchmarks.md) on purpose.
 */
describe('store operations per ceremony (SQLite, over HTTP)', () => {
  let svc: TestService;
  let counted: CountingStore;
  let dataDir: string;
  let aliceToken: string;
  let policyAdmin: string;
  const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-storeops-'));
    counted = countingStore(createSqliteStore(join(dataDir, 'passkeys.db')));
    svc = await startTestService({ DATA_DIR: dataDir }, { store: counted.store });
    policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    await setPolicy(svc, policyAdmin);
    aliceToken = await svc.token({ upn: 'alice@contoso.com' });
    const { res } = await register(svc, aliceToken, key);
    expect(res.status).toBe(201);
    counted.take();
  });
  afterAll(async () => {
    await svc.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('UPN-first sign-in options write nothing and read the user and their passkeys once each', async () => {
    expect((await authenticationOptions(svc, 'alice@contoso.com')).status).toBe(200);
    expect(counted.take()).toEqual({ reads: ['directory.getUserByUpn', 'credentials.listByUser'], writes: [] });
  });

  it('an unknown UPN costs the store the same reads as a known one (no enumeration by work done)', async () => {
    expect((await authenticationOptions(svc, 'nobody@contoso.com')).status).toBe(200);
    expect(counted.take()).toEqual({ reads: ['directory.getUserByUpn', 'credentials.listByUser'], writes: [] });
  });

  it('usernameless sign-in options touch the store not at all', async () => {
    expect((await authenticationOptions(svc)).status).toBe(200);
    expect(counted.take()).toEqual({ reads: [], writes: [] });
  });

  it('registration options write nothing and read only the passkeys to exclude (user, groups, policy cached)', async () => {
    const res = await svc.call('POST', '/webauthn/registration/options', { token: aliceToken, body: {} });
    expect(res.status).toBe(200);
    expect(counted.take()).toEqual({
      reads: ['credentials.listByUser'],
      writes: [],
    });
  });

  it('a sign-in reads only the passkey (user, groups, policy, the audience and the passkey list cached) and writes once (single use and counter together)', async () => {
    // The first sign-in of this run reads the token audience's protection once (issue 11), then it is cached.
    expect((await signInAsAlice()).status).toBe(200);
    const options = await authenticationOptions(svc, 'alice@contoso.com');
    counted.take();
    const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
    const res = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
    expect(res.status).toBe(200);
    // The user's passkey list (issue 12: signalAllAcceptedCredentials) is the one the options read.
    expect(res.body.signalAllAcceptedCredentials.allAcceptedCredentialIds).toEqual([assertion.id]);
    const { reads, writes } = counted.take();
    expect(reads).toEqual(['credentials.get']);
    // Both conditional writes (single use, sign count) in one call and, on SQLite, one transaction.
    expect(writes).toEqual(['credentials.recordSignIn']);
  });

  it("a passkey added or deleted by another process is in the next sign-in's signalAllAcceptedCredentials", async () => {
    const other = createSqliteStore(join(dataDir, 'passkeys.db'));
    try {
      const alice = (await other.directory.getUserByUpn('alice@contoso.com'))!.value;
      const [mine] = await other.credentials.listByUser(alice.id);
      // Usernameless: nothing re-reads the list on the way, so the cached one is what answers.
      const acceptedIds = async () => {
        const options = await authenticationOptions(svc);
        const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN, credentialId: mine.id });
        const res = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
        expect(res.status).toBe(200);
        return res.body.signalAllAcceptedCredentials.allAcceptedCredentialIds as string[];
      };
      expect(await acceptedIds()).toEqual([mine.id]);
      // What another worker's sign-in writes (single use, sign count, sign-in log) keeps every cache here.
      await other.challenges.consume(randomUUID(), new Date(Date.now() + 60_000));
      const fresh = (await other.credentials.get(mine.id))!;
      await other.credentials.update({ ...fresh.value, lastUsedDateTime: new Date().toISOString() }, fresh.etag);
      counted.take();
      expect(await acceptedIds()).toEqual([mine.id]);
      expect(counted.take().reads).toEqual(['credentials.get']);
      const copy = { ...mine, id: 'cGFzc2tleS1hZGRlZC1lbHNld2hlcmU' };
      const audit = (id: string) =>
        auditRecord({
          id,
          at: new Date(),
          actor: { user: null, app: { appId: 'other-worker' } },
          category: 'UserManagement',
          activityDisplayName: 'Passkey copied by a test',
          eventType: EventTypes.fido2MethodRegistered,
          operationType: 'Add',
          target: { id: alice.id, displayName: alice.userPrincipalName, type: 'User' },
          before: null,
          after: { methodId: copy.id },
        });
      await other.credentials.create(copy, audit(randomUUID()));
      expect(await acceptedIds()).toEqual([mine.id, copy.id]);
      await other.credentials.delete(alice.id, copy.id, audit(randomUUID()));
      expect(await acceptedIds()).toEqual([mine.id]);
    } finally {
      await other.close();
    }
  });

  it('a policy PATCH is read by the very next sign-in (what a policy cache must keep true)', async () => {
    await setPolicy(svc, policyAdmin, { state: 'disabled' });
    const options = await authenticationOptions(svc, 'alice@contoso.com');
    const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
    counted.take();
    const res = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
    expect(res.status).toBe(403);
    expect(counted.take().reads).toContain('policies.getFido2');
    await setPolicy(svc, policyAdmin);
  });

  it('a PATCH written by another process (another connection to the file) is seen by the next sign-in', async () => {
    const other = createSqliteStore(join(dataDir, 'passkeys.db'));
    try {
      await signInAsAlice(); // policy, user and groups now cached
      const actor = { user: null, app: { appId: 'other-worker' } };
      await new PolicyService(other.policies, other.directory, systemClock).patchFido2(
        { state: 'disabled' },
        { actor },
      );
      expect((await signInAsAlice()).status).toBe(403);
      await new PolicyService(other.policies, other.directory, systemClock).patchFido2({ state: 'enabled' }, { actor });
      expect((await signInAsAlice()).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('a user disabled through the API is refused at the next sign-in (the user cache is dropped)', async () => {
    expect((await signInAsAlice()).status).toBe(200);
    const userAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    const patch = (accountEnabled: boolean) =>
      svc.call('PATCH', '/v1.0/users/alice@contoso.com', { token: userAdmin, body: { accountEnabled } });
    expect((await patch(false)).status).toBe(204);
    expect((await signInAsAlice()).status).toBe(403);
    expect((await patch(true)).status).toBe(204);
    expect((await signInAsAlice()).status).toBe(200);
  });

  async function signInAsAlice() {
    const options = await authenticationOptions(svc, 'alice@contoso.com');
    const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
    return svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
  }
});
