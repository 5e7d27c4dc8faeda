import type { TimerClock } from '../../ports/clock.port';
import type { JobUserState, ProvisioningJobRepository, ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import { pendingJobUser } from '../../domain/provisioning/jobRows';
import { JobOutcomeSignal } from './jobOutcomeSignal';
import { OUTCOME_RECHECK_MS, OUTCOME_WAIT_MS, waitForOutcome } from './waitForOutcome';

/** A clock whose time moves only when the test advances it; due sleeps resolve then. */
function manualClock(start = Date.parse('2026-01-01T00:00:00Z')) {
  let time = start;
  const sleeps: Array<{ at: number; wake: () => void }> = [];
  const clock: TimerClock = {
    now: () => new Date(time),
    sleep: (ms, signal) =>
      new Promise((resolve) => {
        const entry = { at: time + ms, wake: () => resolve() };
        sleeps.push(entry);
        signal?.addEventListener('abort', () => {
          sleeps.splice(sleeps.indexOf(entry), 1);
          resolve();
        });
      }),
  };
  return {
    clock,
    pendingSleeps: () => sleeps.length,
    async advance(ms: number) {
      time += ms;
      for (const entry of sleeps.filter((s) => s.at <= time)) entry.wake();
      await settle();
    },
  };
}

/** Lets the awaited reads and wake-ups run. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

function setUp(state: JobUserState = 'claimed') {
  const row: ProvisioningJobUser = {
    ...pendingJobUser(
      'job-1',
      { id: 'u-1', userPrincipalName: 'ada@contoso.com', displayName: 'Ada' },
      0,
      '2026-01-01T00:00:00.000Z',
    ),
    state,
  };
  const getUser = jest.fn(async () => ({ ...row }));
  const jobs = { getUser } as Partial<ProvisioningJobRepository> as ProvisioningJobRepository;
  const time = manualClock();
  const outcomes = new JobOutcomeSignal();
  const deps = { jobs, clock: time.clock, outcomes };
  let result: ProvisioningJobUser | undefined;
  const start = () => waitForOutcome(deps, 'job-1', 'u-1', row).then((r) => (result = r));
  return { row, getUser, time, outcomes, start, result: () => result };
}

describe('waitForOutcome', () => {
  it('answers at once when the outcome is already recorded', async () => {
    const t = setUp('provisioned');
    await t.start();
    expect(t.result()?.state).toBe('provisioned');
    expect(t.getUser).toHaveBeenCalledTimes(1);
    expect(t.outcomes.openWaits).toBe(0);
  });

  it('wakes on the outcome signal without the clock moving (no polling)', async () => {
    const t = setUp();
    const done = t.start();
    await settle();
    expect(t.result()).toBeUndefined();
    t.row.state = 'provisioned';
    t.outcomes.recorded('job-1', 'u-1');
    await done;
    expect(t.result()?.state).toBe('provisioned');
    expect(t.getUser).toHaveBeenCalledTimes(2);
    expect(t.outcomes.openWaits).toBe(0);
    expect(t.time.pendingSleeps()).toBe(0);
  });

  it('ignores the signal of another user', async () => {
    const t = setUp();
    t.start();
    await settle();
    t.outcomes.recorded('job-1', 'u-2');
    await settle();
    expect(t.result()).toBeUndefined();
    expect(t.getUser).toHaveBeenCalledTimes(1);
  });

  it('re-reads the row every recheck interval: another instance may record the outcome', async () => {
    const t = setUp();
    t.start();
    await settle();
    t.row.state = 'refusedByPolicy';
    await t.time.advance(OUTCOME_RECHECK_MS - 1);
    expect(t.result()).toBeUndefined();
    await t.time.advance(1);
    expect(t.result()?.state).toBe('refusedByPolicy');
  });

  it('times out through the clock and answers the row as it stands', async () => {
    const t = setUp();
    t.start();
    await settle();
    await t.time.advance(OUTCOME_WAIT_MS - 1);
    expect(t.result()).toBeUndefined();
    expect(t.getUser.mock.calls.length).toBeGreaterThan(1);
    await t.time.advance(1);
    expect(t.result()?.state).toBe('claimed');
    expect(t.outcomes.openWaits).toBe(0);
    expect(t.time.pendingSleeps()).toBe(0);
  });
});
