import type { User } from '../../domain/directory/directory';
import { ConcurrencyConflictError } from '../../domain/errors';
import type { StoredCredential } from '../../ports/credentials.port';
import type { UpnReEnrolmentInput } from '../../ports/reEnrolmentOrchestrations.port';
import { ReEnrolmentDeps, ReEnrolmentService } from './reEnrolmentService';

// The change and the passkey's stale name are taken as proven here: this test is about the write.
jest.mock('./upnChangeCheck', () => ({
  ...jest.requireActual('./upnChangeCheck'),
  checkUpnChange: jest.fn((_claim: unknown, user: unknown) => ({ confirmed: true, user })),
  showsStaleName: jest.fn(() => true),
}));

const alice: User = {
  id: 'u-1',
  userPrincipalName: 'alice.smith@contoso.com',
  displayName: 'Alice',
  userType: 'Member',
  accountEnabled: true,
  mail: null,
  createdDateTime: '2025-01-01T00:00:00.000Z',
};
const claim: UpnReEnrolmentInput = {
  eventId: 'e1',
  userId: 'u-1',
  changedAt: '2025-03-01T08:00:00.000Z',
  oldUserPrincipalName: 'alice@contoso.com',
  newUserPrincipalName: 'alice.smith@contoso.com',
};

/** One old passkey whose first `conflicts` updates lose a race to a sign-in. */
function world(conflicts: number) {
  let stored = {
    value: {
      id: 'old',
      userId: 'u-1',
      createdDateTime: '2025-02-01T00:00:00.000Z',
      reEnrolmentRequired: false,
    } as StoredCredential,
    etag: '"1"',
  };
  const update = jest.fn(async (c: StoredCredential) => {
    if (update.mock.calls.length <= conflicts) throw new ConcurrencyConflictError('credential', stored.etag);
    stored = { value: c, etag: '"2"' };
    return stored;
  });
  const deps = {
    graceHours: 72,
    audit: { append: async () => undefined, list: async () => ({ items: [] }) },
    directory: { findUser: async () => ({ value: alice, etag: '"1"' }) },
    credentials: { listByUser: async () => [stored.value], get: async () => stored, update },
  };
  return { service: new ReEnrolmentService(deps as unknown as ReEnrolmentDeps), update, stored: () => stored.value };
}

describe('ReEnrolmentService marks passkeys under lost races', () => {
  it('reads the passkey again and marks it', async () => {
    const w = world(2);
    expect((await w.service.markOldPasskeys(claim)).oldMethodIds).toEqual(['old']);
    expect(w.stored().reEnrolmentRequired).toBe(true);
    expect(w.update).toHaveBeenCalledTimes(3);
  });

  it('attack: constant contention ends with 412 after 5 attempts', async () => {
    const w = world(Number.POSITIVE_INFINITY);
    await expect(w.service.markOldPasskeys(claim)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(w.update).toHaveBeenCalledTimes(5);
  });
});
