import { z } from 'zod';
import { defineActivity } from '../activity';
import {
  CompleteJobInputSchema,
  JobUserCountsSchema,
  JobUserStateSchema,
  ProvisioningBatchInputSchema,
  ProvisionUserInputSchema,
  RegisterCredentialInputSchema,
} from './inputs';
import { Activities } from './names';

// The provisioning activities: each one call into the job service (all I/O happens here, not in orchestrators).

/** The user ids of one batch (sequence in [from, to)). */
export const listBatchUsers = defineActivity(
  Activities.listBatchUsers,
  { input: ProvisioningBatchInputSchema, result: z.array(z.string()) },
  ({ jobId, fromSequence, toSequence }, app) => app.provisioningJobs.listBatchUsers(jobId, fromSequence, toSequence),
);

/** Checks the user (guests and policy refusals end here): `ready`, or the final state. */
export const prepareUser = defineActivity(
  Activities.prepareUser,
  { input: ProvisionUserInputSchema, result: JobUserStateSchema },
  ({ jobId, userId }, app) => app.provisioningJobs.prepareUser(jobId, userId),
);

/** Registers the delivered credential (the credential event's payload: the credential with its deliverer). */
export const registerCredential = defineActivity(
  Activities.registerCredential,
  { input: RegisterCredentialInputSchema, result: JobUserStateSchema },
  ({ jobId, userId, credential }, app) => app.provisioningJobs.registerCredential(jobId, userId, credential),
);

/** No credential came before the challenge expired. */
export const markTimedOut = defineActivity(
  Activities.markTimedOut,
  { input: ProvisionUserInputSchema, result: JobUserStateSchema },
  ({ jobId, userId }, app) => app.provisioningJobs.markTimedOut(jobId, userId),
);

/** Marks the job complete and answers its counts per state. */
export const completeJob = defineActivity(
  Activities.completeJob,
  { input: CompleteJobInputSchema, result: JobUserCountsSchema },
  (jobId, app) => app.provisioningJobs.completeJob(jobId),
);

/** Every provisioning activity, for the registry. */
export const provisioningActivities = [listBatchUsers, prepareUser, registerCredential, markTimedOut, completeJob];
