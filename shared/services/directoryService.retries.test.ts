import type { Principal } from '../domain/auth/principal';
import type { User } from '../domain/directory/directory';
import { ConcurrencyConflictError } from '../domain/errors';
import type { DirectoryRepository } from '../ports/directory.port';
import { DEFAULT_CONFLICT_ATTEMPTS } from './retryOnConflict';
import { DirectoryService } from './directoryService';

const USER_ID = '11111111-1111-4111-8111-111111111111';
const ada: User = {
  id: USER_ID,
  userPrincipalName: 'ada@contoso.com',
  displayName: 'Ada',
  userType: 'Member',
  accountEnabled: true,
  mail: null,
  createdDateTime: '2026-01-01T00:00:00.000Z',
};

/** A directory whose first `conflicts` user updates lose a race; only what updateUser touches is there. */
function racingDirectory(conflicts: number) {
  let stored = { value: ada, etag: '"1"' };
  const updates = jest.fn(async (user: User) => {
    if (updates.mock.calls.length <= conflicts) throw new ConcurrencyConflictError('user', stored.etag);
    stored = { value: user, etag: `"${updates.mock.calls.length + 1}"` };
    return stored;
  });
  const directory = {
    getUserById: async () => stored,
    getUserByUpn: async () => stored,
    updateUser: updates,
  } as Partial<DirectoryRepository> as DirectoryRepository;
  return { directory, updates };
}

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const admin: Principal = {
  kind: 'application',
  appId: 'admin-app',
  permissions: ['User.ReadWrite.All'],
  roleTemplateIds: [],
  scopes: [],
};

describe('DirectoryService.updateUser under lost races', () => {
  it('retries on the fresh user and succeeds', async () => {
    const { directory, updates } = racingDirectory(2);
    const user = await new DirectoryService(directory, clock).updateUser(USER_ID, { displayName: 'Ada L.' }, admin);
    expect(user.displayName).toBe('Ada L.');
    expect(updates).toHaveBeenCalledTimes(3);
  });

  it('attack: constant contention ends with 412 after a bounded number of attempts (it looped forever before)', async () => {
    const { directory, updates } = racingDirectory(Number.POSITIVE_INFINITY);
    await expect(
      new DirectoryService(directory, clock).updateUser(USER_ID, { displayName: 'Ada L.' }, admin),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(updates).toHaveBeenCalledTimes(DEFAULT_CONFLICT_ATTEMPTS);
  });
});
