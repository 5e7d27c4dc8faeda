import { assertJobUserTransition, isFinalUserState } from '../../domain/provisioning/jobUserTransitions';
import type { JobUserState, ProvisioningJobRepository, ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import type { ProvisioningContext } from './provisioningDeps';

type RowChanges = Parameters<ProvisioningJobRepository['transition']>[4];

/**
 * Moves a user's row from one of `from` to `to` (conditional in the store: null when someone moved
 * it first), after checking the move against the job user state machine. A recorded outcome
 * (a final state) wakes whoever waits for it in this process.
 */
export async function moveJobUser(
  deps: Pick<ProvisioningContext, 'jobs' | 'outcomes'>,
  jobId: string,
  userId: string,
  from: readonly JobUserState[],
  to: JobUserState,
  changes: RowChanges,
): Promise<ProvisioningJobUser | null> {
  assertJobUserTransition(from, to);
  const moved = await deps.jobs.transition(jobId, userId, from, to, changes);
  if (moved && isFinalUserState(to)) deps.outcomes.recorded(jobId, userId);
  return moved;
}

/** The row's state after a move that may have lost the race: `to` when it moved, else what the row holds now. */
export async function stateAfterMove(
  jobs: ProvisioningJobRepository,
  jobId: string,
  userId: string,
  moved: ProvisioningJobUser | null,
  to: JobUserState,
  missing: JobUserState,
): Promise<JobUserState> {
  return moved ? to : ((await jobs.getUser(jobId, userId))?.state ?? missing);
}
