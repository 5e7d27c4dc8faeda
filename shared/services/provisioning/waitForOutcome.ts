import { isFinalUserState } from '../../domain/provisioning/jobUserTransitions';
import type { ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import type { ProvisioningContext } from './provisioningDeps';

/** How long a station's POST .../credential waits for the orchestration to record the outcome. */
export const OUTCOME_WAIT_MS = 30_000;
/**
 * How often the row is read again while waiting: the outcome signal only reaches this process, and
 * on Azure the activity that writes the outcome may run on another instance.
 */
export const OUTCOME_RECHECK_MS = 1_000;

/**
 * The user's row once the orchestration recorded an outcome (a final state), or as it stands when
 * the wait times out (by the context's clock). Wakes on the outcome signal, else re-reads the row
 * every {@link OUTCOME_RECHECK_MS}.
 */
export async function waitForOutcome(
  deps: Pick<ProvisioningContext, 'jobs' | 'clock' | 'outcomes'>,
  jobId: string,
  userId: string,
  fallback: ProvisioningJobUser,
): Promise<ProvisioningJobUser> {
  const deadline = deps.clock.now().getTime() + OUTCOME_WAIT_MS;
  for (;;) {
    const stop = new AbortController();
    // Listen before reading, so an outcome written between the read and the wait is not missed.
    const recorded = deps.outcomes.next(jobId, userId, stop.signal);
    try {
      const current = await deps.jobs.getUser(jobId, userId);
      if (current && isFinalUserState(current.state)) return current;
      const left = deadline - deps.clock.now().getTime();
      if (left <= 0) return current ?? fallback;
      await Promise.race([recorded, deps.clock.sleep(Math.min(left, OUTCOME_RECHECK_MS), stop.signal)]);
    } finally {
      stop.abort(); // ends whichever of the two waits is still open
    }
  }
}
