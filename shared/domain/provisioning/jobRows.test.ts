import { FINAL_USER_STATES } from '../../ports/provisioningJobs.port';
import { ALL_JOB_USER_STATES, assertRowsOfJob, pendingJobUser, zeroJobUserCounts } from './jobRows';

const alice = { id: 'u-alice', userPrincipalName: 'alice@contoso.com', displayName: 'Alice' };
const bob = { id: 'u-bob', userPrincipalName: 'bob@contoso.com', displayName: 'Bob' };
const AT = '2026-12-02T10:00:00.000Z';

describe('job user rows', () => {
  it('counts every state, all zero, and lists each state once (final states among them)', () => {
    const counts = zeroJobUserCounts();
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
    // Written out, not read back from the code: a state added or dropped must be seen here.
    const states = [
      'pending',
      'ready',
      'claimed',
      'provisioned',
      'skippedGuest',
      'refusedByPolicy',
      'timedOut',
      'failed',
      'cancelled',
    ];
    expect(Object.keys(counts)).toEqual(states);
    expect(ALL_JOB_USER_STATES).toEqual(states);
    expect(ALL_JOB_USER_STATES).toEqual(expect.arrayContaining([...FINAL_USER_STATES, 'pending', 'ready', 'claimed']));
    expect(new Set(ALL_JOB_USER_STATES).size).toBe(ALL_JOB_USER_STATES.length);
  });

  it('starts a user pending, in job order, with nothing issued yet', () => {
    expect(pendingJobUser('job-1', alice, 3, AT)).toEqual({
      jobId: 'job-1',
      userId: 'u-alice',
      userPrincipalName: 'alice@contoso.com',
      displayName: 'Alice',
      sequence: 3,
      state: 'pending',
      reason: null,
      creationOptions: null,
      challengeExpiresDateTime: null,
      claimedBy: null,
      methodId: null,
      updatedDateTime: AT,
    });
  });

  it('accepts rows that all belong to the job, once each', () => {
    expect(() =>
      assertRowsOfJob('job-1', [pendingJobUser('job-1', alice, 0, AT), pendingJobUser('job-1', bob, 1, AT)]),
    ).not.toThrow();
    expect(() => assertRowsOfJob('job-1', [])).not.toThrow();
  });

  it.each([
    [
      'a row of another job (another Cosmos DB partition)',
      [pendingJobUser('job-1', alice, 0, AT), pendingJobUser('job-2', bob, 1, AT)],
      /user 'u-bob' has 'job-2'/,
    ],
    [
      'a user listed twice',
      [pendingJobUser('job-1', alice, 0, AT), pendingJobUser('job-1', alice, 1, AT)],
      /user 'u-alice' is listed twice/,
    ],
  ])('refuses %s before anything is written', (_title, rows, message) => {
    expect(() => assertRowsOfJob('job-1', rows)).toThrow(message);
  });
});
