import type { JobUserCounts, JobUserState } from '../../ports/provisioningJobs.port';
import { moveJobUser, stateAfterMove } from './moveJobUser';
import { nowIso, type ProvisioningContext } from './provisioningDeps';
import { recordJobStep } from './recordJobStep';

/** Activity: the user ids of one batch, sequences [fromSequence, toSequence). */
export async function listBatchUsers(
  deps: Pick<ProvisioningContext, 'jobs'>,
  jobId: string,
  fromSequence: number,
  toSequence: number,
): Promise<string[]> {
  const rows = await deps.jobs.listUsers(jobId, { top: toSequence - fromSequence, afterSequence: fromSequence - 1 });
  return rows.filter((r) => r.sequence < toSequence).map((r) => r.userId);
}

/** Activity: no credential arrived before the challenge expired; the row's state when another outcome won. */
export async function markTimedOut(
  deps: Pick<ProvisioningContext, 'jobs' | 'clock' | 'outcomes'>,
  jobId: string,
  userId: string,
): Promise<JobUserState> {
  const moved = await moveJobUser(deps, jobId, userId, ['claimed'], 'timedOut', {
    reason: 'No credential arrived before the challenge timed out.',
    updatedDateTime: nowIso(deps),
  });
  return stateAfterMove(deps.jobs, jobId, userId, moved, 'timedOut', 'failed');
}

/** Activity: every user has an outcome; the job completes unless it was cancelled meanwhile (cancel wins). */
export async function completeJob(
  deps: Pick<ProvisioningContext, 'jobs' | 'audit' | 'clock'>,
  jobId: string,
): Promise<JobUserCounts> {
  const finished = await deps.jobs.finish(jobId, 'completed', nowIso(deps)); // false when cancelled meanwhile
  const counts = await deps.jobs.counts(jobId);
  const job = finished ? await deps.jobs.get(jobId) : null;
  if (job) await recordJobStep(deps, 'completed', job, { user: null, app: { appId: 'provisioning-job' } }, { counts });
  return counts;
}
