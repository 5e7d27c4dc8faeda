import { isFinalUserState } from '../../domain/provisioning/jobUserTransitions';
import type { ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import type { ProvisioningDeps } from './provisioningDeps';

const OUTCOME_WAIT_MS = 30_000;
const OUTCOME_POLL_MS = 20;

/** The user's row once the orchestration recorded an outcome (or as it stands after the wait). */
export async function waitForOutcome(deps: Pick<ProvisioningDeps, 'jobs'>, jobId: string, userId: string, fallback: ProvisioningJobUser): Promise<ProvisioningJobUser> {
  const deadline = Date.now() + OUTCOME_WAIT_MS;
  for (;;) {
    const current = await deps.jobs.getUser(jobId, userId);
    if (current && isFinalUserState(current.state)) return current;
    if (Date.now() > deadline) return current ?? fallback;
    await new Promise((r) => setTimeout(r, OUTCOME_POLL_MS));
  }
}
