import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { z } from 'zod';
import { parseOrchestrationInput } from '../orchestrationInput';
import { BatchOutcomesSchema, ProvisioningBatchInputSchema, ProvisioningJobInputSchema } from './inputs';
import { BATCH_SIZE, InstanceIds, Orchestrators } from './names';
import { completeJob, listBatchUsers } from './provisioning.activities';

export type ProvisioningJobInput = z.infer<typeof ProvisioningJobInputSchema>;

export type ProvisioningBatchInput = z.infer<typeof ProvisioningBatchInputSchema>;

/**
 * A bulk provisioning job: one sub-orchestration per batch of users, so no history grows with the
 * job size; then the job is marked complete with its counts.
 */
export const provisioningJobOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { jobId, totalUsers } = parseOrchestrationInput(
    ProvisioningJobInputSchema,
    context.df.getInput(),
    Orchestrators.job,
  );
  const batches = Math.ceil(totalUsers / BATCH_SIZE);
  context.df.setCustomStatus({ batches });
  yield context.df.Task.all(
    Array.from({ length: batches }, (_, i) =>
      context.df.callSubOrchestrator(
        Orchestrators.batch,
        {
          jobId,
          fromSequence: i * BATCH_SIZE,
          toSequence: Math.min(totalUsers, (i + 1) * BATCH_SIZE),
        } satisfies ProvisioningBatchInput,
        InstanceIds.batch(jobId, i),
      ),
    ),
  );
  return completeJob.result(yield completeJob.call(context, jobId));
};

/** One batch: the users with sequence in [from, to), each in its own small orchestration. */
export const provisioningBatchOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = parseOrchestrationInput(ProvisioningBatchInputSchema, context.df.getInput(), Orchestrators.batch);
  const userIds = listBatchUsers.result(yield listBatchUsers.call(context, input));
  const outcomes = parseOrchestrationInput(
    BatchOutcomesSchema,
    yield context.df.Task.all(
      userIds.map((userId) =>
        context.df.callSubOrchestrator(
          Orchestrators.user,
          { jobId: input.jobId, userId },
          InstanceIds.user(input.jobId, userId),
        ),
      ),
    ),
    `${Orchestrators.batch} outcomes`,
  );
  return outcomes.reduce<Record<string, number>>(
    (counts, outcome) => ({ ...counts, [outcome]: (counts[outcome] ?? 0) + 1 }),
    {},
  );
};
