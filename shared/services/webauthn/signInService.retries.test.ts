import type { User } from '../../domain/directory/directory';
import { ConcurrencyConflictError, DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { defaultFido2Policy } from '../../domain/policy/fido2Policy';
import type { StoredCredential } from '../../ports/credentials.port';
import type { AuthenticationResponseJSON } from '../../ports/webauthn.port';
import { SignInDeps, SignInService } from './signInService';

const alice: User = {
  id: 'u-1',
  userPrincipalName: 'alice@contoso.com',
  displayName: 'Alice',
  userType: 'Member',
  accountEnabled: true,
  mail: null,
  createdDateTime: '2025-01-01T00:00:00.000Z',
};
const passkey = {
  id: 'cred-1',
  userId: 'u-1',
  publicKey: 'pk',
  signCount: 5,
  transports: [],
  aaGuid: '00000000-0000-0000-0000-000000000000',
  model: null,
  backupEligible: false,
  backedUp: false,
  reEnrolmentRequired: false,
} as unknown as StoredCredential;
const response = { id: 'cred-1', response: { clientDataJSON: 'x' } } as unknown as AuthenticationResponseJSON;

/**
 * A sign-in whose passkey row loses `conflicts` write races; each lost race is another sign-in
 * with this passkey that moved its counter to `rivalSignCount`. Only the signature-count step is real.
 */
function world(conflicts: number, rivalSignCount: number) {
  let stored = { value: passkey, etag: '"1"' };
  const update = jest.fn(async (c: StoredCredential, etag: string) => {
    if (c.cloneWarningDateTime) return stored; // the clone flag is written best-effort
    if (update.mock.calls.filter(([u]) => !u.cloneWarningDateTime).length <= conflicts) {
      stored = { value: { ...stored.value, signCount: rivalSignCount }, etag: `"${etag}+"` };
      throw new ConcurrencyConflictError('credential', etag);
    }
    stored = { value: c, etag: '"done"' };
    return stored;
  });
  const deps = {
    // The sign-in's counter write (with the single use) and the clone flag's write are the same fake.
    credentials: {
      get: async () => stored,
      update,
      recordSignIn: (c: StoredCredential, etag: string) => update(c, etag),
      listByUser: async () => [stored.value],
    },
    challenges: {
      open: () => ({ challenge: 'c', state: { ceremony: 'authentication', expiresAt: Date.now() + 60_000 } }),
      consume: async () => undefined,
      consumeUsage: async () => true,
      usageOf: () => ({ id: 'c', expiresAt: new Date(Date.now() + 60_000) }),
      alreadyUsed: () => new DomainError(ErrorCodes.signInChallengeAlreadyUsed, 'used'),
    },
    webauthn: { verifyAuthentication: async () => ({ newSignCount: 6, backedUp: false }) },
    directory: { findUser: async () => ({ value: alice, etag: '"1"' }), groupIdsOfUser: async () => [] },
    policy: { getFido2: async () => ({ value: { ...defaultFido2Policy(), state: 'enabled' }, etag: '"1"' }) },
    audit: { append: async () => undefined },
    signer: { sign: async () => 'token' },
    clock: { now: () => new Date('2026-01-01T00:00:00Z') },
    serverSecret: Buffer.alloc(32, 1),
    rp: { id: 'localhost', name: 'test', origins: ['http://localhost'] },
    token: { lifetimeSeconds: 3600, defaultAudience: 'api', allowedAudiences: [] },
    timeoutMs: 60_000,
    protectedResources: { requirementFor: async () => null, satisfiedStrengths: () => [] },
  };
  const writes = () => update.mock.calls.filter(([c]) => !c.cloneWarningDateTime).length;
  return { service: new SignInService(deps as unknown as SignInDeps), writes, stored: () => stored.value };
}

describe('SignInService records the use of a passkey under lost races', () => {
  it('writes again on the fresh row when the rival sign-in left the counter below ours', async () => {
    const w = world(2, 5);
    const result = await w.service.verify(response);
    expect(result.token).toBe('token');
    expect(w.writes()).toBe(3);
    expect(w.stored().signCount).toBe(6);
  });

  it('judges the counter against the fresh row: a rival that moved it past ours makes this one a possible clone', async () => {
    const w = world(1, 7);
    const refused = w.service.verify(response);
    await expect(refused).rejects.toBeInstanceOf(DomainError);
    await expect(refused).rejects.toMatchObject({ code: 'fido2PossibleClonedAuthenticator' });
    expect(w.writes()).toBe(1);
  });

  it('attack: constant contention ends with 412 after 5 attempts', async () => {
    const w = world(Number.POSITIVE_INFINITY, 5);
    await expect(w.service.verify(response)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(w.writes()).toBe(5);
  });
});
