import type { JobUserCounts, JobUserState, ProvisioningJobUser } from '../../ports/provisioningJobs.port';

/** Counts with every state present, all zero: what `counts` returns for states no row is in. */
export const zeroJobUserCounts = (): JobUserCounts => ({
  pending: 0,
  ready: 0,
  claimed: 0,
  provisioned: 0,
  skippedGuest: 0,
  refusedByPolicy: 0,
  timedOut: 0,
  failed: 0,
  cancelled: 0,
});

export const ALL_JOB_USER_STATES = Object.keys(zeroJobUserCounts()) as JobUserState[];

/** Every row must belong to the job (on Cosmos DB it would land in another partition), once: checked before anything is written. */
export function assertRowsOfJob(jobId: string, users: readonly ProvisioningJobUser[]): void {
  const seen = new Set<string>();
  for (const user of users) {
    if (user.jobId !== jobId)
      throw new Error(
        `Expected every user row of provisioning job '${jobId}' to have that jobId; user '${user.userId}' has '${user.jobId}'`,
      );
    if (seen.has(user.userId))
      throw new Error(`Expected each user once in provisioning job '${jobId}'; user '${user.userId}' is listed twice`);
    seen.add(user.userId);
  }
}

/** A user's row when the job is created: pending, in job order. */
export function pendingJobUser(
  jobId: string,
  user: { id: string; userPrincipalName: string; displayName: string },
  sequence: number,
  at: string,
): ProvisioningJobUser {
  return {
    jobId,
    userId: user.id,
    userPrincipalName: user.userPrincipalName,
    displayName: user.displayName,
    sequence,
    state: 'pending',
    reason: null,
    creationOptions: null,
    challengeExpiresDateTime: null,
    claimedBy: null,
    methodId: null,
    updatedDateTime: at,
  };
}
