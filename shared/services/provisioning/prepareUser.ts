import { isDomainError } from '../../domain/errors';
import { assertMayRegister } from '../../domain/policy/evaluatePolicy';
import { stateAfterPreparationRefusal } from '../../domain/provisioning/jobUserOutcomes';
import { isFinalUserState } from '../../domain/provisioning/jobUserTransitions';
import type { JobUserState } from '../../ports/provisioningJobs.port';
import { moveJobUser, stateAfterMove } from './moveJobUser';
import { nowIso, type ProvisioningContext } from './provisioningDeps';

/**
 * Activity: checks a pending user against the policy. Guests are skipped and policy refusals
 * recorded up front; everyone else becomes ready. Idempotent: a re-run returns the row's state.
 */
export async function prepareUser(deps: ProvisioningContext, jobId: string, userId: string): Promise<JobUserState> {
  const row = await deps.jobs.getUser(jobId, userId);
  if (!row) return 'failed';
  if (row.state !== 'pending') return isFinalUserState(row.state) ? row.state : 'ready';
  const found = await deps.directory.findUser(userId);
  let to: JobUserState = 'ready';
  let reason: string | null = null;
  if (!found) {
    to = 'failed';
    reason = 'The user no longer exists.';
  } else {
    try {
      const { value: policy } = await deps.policy.getFido2();
      assertMayRegister(policy, { user: found.value, groupIds: await deps.directory.groupIdsOfUser(userId) }, 'admin');
    } catch (e) {
      if (!isDomainError(e)) throw e;
      to = stateAfterPreparationRefusal(e);
      reason = e.message;
    }
  }
  const moved = await moveJobUser(deps, jobId, userId, ['pending'], to, { reason, updatedDateTime: nowIso(deps) });
  return stateAfterMove(deps.jobs, jobId, userId, moved, to, 'failed');
}
