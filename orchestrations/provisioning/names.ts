/** Orchestrator and activity names: one constant each, never repeated strings (STYLE.md §5). */
export const Orchestrators = {
  job: 'provisioningJob',
  batch: 'provisioningBatch',
  user: 'provisionUser',
} as const;

export const Activities = {
  listBatchUsers: 'provisioningListBatchUsers',
  prepareUser: 'provisioningPrepareUser',
  registerCredential: 'provisioningRegisterCredential',
  markTimedOut: 'provisioningMarkTimedOut',
  completeJob: 'provisioningCompleteJob',
} as const;

export const ProvisioningEvents = {
  /** A station claimed the user: `{ expiresAt }` (ISO), or `{ refused: reason }`. */
  claimed: 'claimed',
  /** The station delivered the credential: a CredentialDelivery (the credential and its deliverer). */
  credential: 'credential',
} as const;

/** Users per batch sub-orchestration: keeps every history small for 10,000-user jobs. */
export const BATCH_SIZE = 100;

/** Instance ids are derived, so HTTP triggers can address a user's or a job's orchestration. */
export const InstanceIds = {
  job: (jobId: string) => `provisioning-${jobId}`,
  batch: (jobId: string, index: number) => `provisioning-${jobId}-batch-${index}`,
  user: (jobId: string, userId: string) => `provisioning-${jobId}-user-${userId}`,
};
