import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { createSqliteStore } from '../../shared/adapters/sqlite/store.sqlite';
import { PolicyService } from '../../shared/services/policyService';
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

  it("a sign-in reads the passkey and the user's passkey list once each (user, groups and policy cached) and writes twice (counter, single use)", async () => {
    const options = await authenticationOptions(svc, 'alice@contoso.com');
    counted.take();
    const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
    const res = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
    expect(res.status).toBe(200);
    const { reads, writes } = counted.take();
    // The user's passkey list (issue 12: signalAllAcceptedCredentials) is read after the counter write.
    // issue 11: one point read of the audience's protected-resource row (not cached; the strength is not read).
    expect(reads).toEqual(['strengths.getResource', 'credentials.get', 'credentials.listByUser']);
    expect(writes.sort()).toEqual(['challenges.consume', 'credentials.update']);
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
