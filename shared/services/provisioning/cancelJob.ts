import type { Actor } from '../../domain/auth/actor';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { isFinalUserState } from '../../domain/provisioning/jobUserTransitions';
import type { ProvisioningJob } from '../../ports/provisioningJobs.port';
import type { ProvisioningOrchestrations } from '../../ports/provisioningOrchestrations.port';
import { runningJob } from './jobLookups';
import { moveJobUser } from './moveJobUser';
import { nowIso, type ProvisioningContext } from './provisioningDeps';
import { recordJobStep } from './recordJobStep';

/** Rows read per page while cancelling the open users. */
const CANCEL_PAGE_SIZE = 500;

/**
 * Cancels a running job: the job first (so it takes no more work; 409 `jobNotRunning` when it
 * finished meanwhile), then every user without an outcome, then their orchestrations.
 */
export async function cancelJob(
  deps: ProvisioningContext,
  jobId: string,
  orchestrations: ProvisioningOrchestrations,
  actor: Actor,
): Promise<ProvisioningJob> {
  const job = await runningJob(deps, jobId);
  if (!(await deps.jobs.finish(jobId, 'cancelled', nowIso(deps)))) {
    throw new DomainError(
      ErrorCodes.jobNotRunning,
      `Provisioning job '${jobId}' finished while it was being cancelled.`,
    );
  }
  const open: string[] = [];
  let afterSequence: number | undefined;
  for (;;) {
    const rows = await deps.jobs.listUsers(jobId, { top: CANCEL_PAGE_SIZE, afterSequence });
    if (rows.length === 0) break;
    for (const row of rows) {
      if (isFinalUserState(row.state)) continue;
      const moved = await moveJobUser(deps, jobId, row.userId, ['pending', 'ready', 'claimed'], 'cancelled', {
        reason: 'The job was cancelled.',
        updatedDateTime: nowIso(deps),
      });
      if (moved) open.push(row.userId);
    }
    afterSequence = rows[rows.length - 1].sequence;
  }
  await orchestrations.cancelJob(jobId, open);
  await recordJobStep(deps, 'cancelled', job, actor, { cancelledUsers: open.length });
  return { ...job, status: 'cancelled' };
}
