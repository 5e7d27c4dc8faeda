import type { ActivityHandler } from 'durable-functions';
import type { App } from '../../shared/app';
import type { CredentialDelivery } from '../../shared/ports/provisioningOrchestrations.port';
import { Activities } from './names';
import type { ProvisioningBatchInput } from './provisioningJob.orchestrator';
import type { ProvisionUserInput } from './provisionUser.orchestrator';

/** The provisioning activities: each one call into the job service (all I/O happens here, not in orchestrators). */
export function provisioningActivities(getApp: () => Promise<App>): Record<string, ActivityHandler> {
  const jobs = async () => (await getApp()).provisioningJobs;
  return {
    [Activities.listBatchUsers]: async (input: unknown) => {
      const { jobId, fromSequence, toSequence } = input as ProvisioningBatchInput;
      return (await jobs()).listBatchUsers(jobId, fromSequence, toSequence);
    },
    [Activities.prepareUser]: async (input: unknown) => {
      const { jobId, userId } = input as ProvisionUserInput;
      return (await jobs()).prepareUser(jobId, userId);
    },
    [Activities.registerCredential]: async (input: unknown) => {
      // `credential` is the credential event's payload: the credential with its deliverer.
      const { jobId, userId, credential } = input as ProvisionUserInput & { credential: CredentialDelivery };
      return (await jobs()).registerCredential(jobId, userId, credential);
    },
    [Activities.markTimedOut]: async (input: unknown) => {
      const { jobId, userId } = input as ProvisionUserInput;
      return (await jobs()).markTimedOut(jobId, userId);
    },
    [Activities.completeJob]: async (input: unknown) => (await jobs()).completeJob(input as string),
  };
}
