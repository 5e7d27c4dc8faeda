import type { JobUserState, ProvisioningJobRepository, ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import { JobOutcomeSignal } from './jobOutcomeSignal';
import { moveJobUser } from './moveJobUser';

/** A store whose conditional transition succeeds or loses the race, as told. */
function setUp(moves: boolean) {
  const transition = jest.fn(async () => (moves ? ({ state: 'x' } as unknown as ProvisioningJobUser) : null));
  const jobs = { transition } as Partial<ProvisioningJobRepository> as ProvisioningJobRepository;
  const outcomes = new JobOutcomeSignal();
  const recorded = jest.spyOn(outcomes, 'recorded');
  return { deps: { jobs, outcomes }, transition, recorded };
}

describe('moveJobUser', () => {
  it.each<[JobUserState[], JobUserState, boolean, boolean]>([
    [['claimed'], 'provisioned', true, true],
    [['claimed'], 'timedOut', true, true],
    [['pending', 'ready', 'claimed'], 'cancelled', true, true],
    [['claimed'], 'provisioned', false, false], // lost the race: someone else recorded the outcome
    [['pending'], 'ready', true, false], // not an outcome
    [['claimed'], 'claimed', true, false],
  ])('%j → %s (moved: %s) signals the outcome: %s', async (from, to, moves, signals) => {
    const t = setUp(moves);
    await moveJobUser(t.deps, 'job-1', 'u-1', from, to, {});
    expect(t.transition).toHaveBeenCalledWith('job-1', 'u-1', from, to, {});
    expect(t.recorded).toHaveBeenCalledTimes(signals ? 1 : 0);
  });

  it('refuses a move the state machine does not have, before touching the store', async () => {
    const t = setUp(true);
    await expect(moveJobUser(t.deps, 'job-1', 'u-1', ['provisioned'], 'cancelled', {})).rejects.toThrow(
      'received provisioned → cancelled',
    );
    expect(t.transition).not.toHaveBeenCalled();
  });
});
