import { ConcurrencyConflictError } from '../domain/errors';
import { defaultFido2Policy, type Fido2Policy } from '../domain/policy/fido2Policy';
import type { DirectoryRepository } from '../ports/directory.port';
import type { PolicyRepository } from '../ports/policy.port';
import type { Versioned } from '../ports/versioned';
import { PolicyService } from './policyService';

/** A policy store whose first `conflicts` saves lose a race (another writer moved the ETag). */
function racingPolicies(conflicts: number) {
  let stored: Versioned<Fido2Policy> = { value: defaultFido2Policy(), etag: '"1"' };
  const saves = jest.fn(async (policy: Fido2Policy) => {
    if (saves.mock.calls.length <= conflicts) throw new ConcurrencyConflictError('FIDO2 policy', stored.etag);
    stored = { value: policy, etag: `"${saves.mock.calls.length + 1}"` };
    return stored;
  });
  const policies: PolicyRepository = { getFido2: async () => stored, saveFido2: saves };
  return { policies, saves };
}

// The default policy targets all_users only: no group is looked up.
const noDirectory = {} as DirectoryRepository;
const clock = { now: () => new Date('2026-01-01T00:00:00Z') };
const actor = { user: null, app: { appId: 'test' } };
const patch = { isSelfServiceRegistrationAllowed: false };

describe('PolicyService.patchFido2 under lost races', () => {
  it.each([
    { conflicts: 1, attempts: 2 },
    { conflicts: 9, attempts: 10 },
  ])(
    'without If-Match, retries on the fresh policy: $conflicts lost races, saved on attempt $attempts',
    async ({ conflicts, attempts }) => {
      const { policies, saves } = racingPolicies(conflicts);
      const saved = await new PolicyService(policies, noDirectory, clock).patchFido2(patch, { actor });
      expect(saved.value.isSelfServiceRegistrationAllowed).toBe(false);
      expect(saves).toHaveBeenCalledTimes(attempts);
    },
  );

  it('attack: constant contention ends after 10 attempts with 412', async () => {
    const { policies, saves } = racingPolicies(Number.POSITIVE_INFINITY);
    await expect(new PolicyService(policies, noDirectory, clock).patchFido2(patch, { actor })).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
    expect(saves).toHaveBeenCalledTimes(10);
  });

  it('with If-Match, makes exactly one attempt: the client decides what a lost race means', async () => {
    const { policies, saves } = racingPolicies(1);
    await expect(
      new PolicyService(policies, noDirectory, clock).patchFido2(patch, { actor, ifMatch: '"1"' }),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(saves).toHaveBeenCalledTimes(1);
  });

  it('with a stale If-Match, refuses before writing', async () => {
    const { policies, saves } = racingPolicies(0);
    await expect(
      new PolicyService(policies, noDirectory, clock).patchFido2(patch, { actor, ifMatch: '"0"' }),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(saves).not.toHaveBeenCalled();
  });
});
