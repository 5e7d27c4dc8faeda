import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { Activities, ProvisioningEvents } from './names';

export interface ProvisionUserInput {
  jobId: string;
  userId: string;
}

export type ClaimedEvent = { expiresAt: string } | { refused: string };

/**
 * One user of a job: check the user (guests and policy refusals end here), wait for a station to
 * claim them, then wait for the credential until the challenge times out, register it and record
 * the outcome. Time comes from the orchestration clock; the timer is cancelled when the credential wins.
 */
export const provisionUserOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as ProvisionUserInput;
  const prepared = (yield context.df.callActivity(Activities.prepareUser, input)) as string;
  if (prepared !== 'ready') return prepared;

  const claimed = (yield context.df.waitForExternalEvent(ProvisioningEvents.claimed)) as ClaimedEvent;
  if ('refused' in claimed) return 'refusedByPolicy';

  const credentialEvent = context.df.waitForExternalEvent(ProvisioningEvents.credential);
  const deadline = context.df.createTimer(new Date(claimed.expiresAt));
  const winner = yield context.df.Task.any([credentialEvent, deadline]);
  if (winner === credentialEvent) {
    deadline.cancel();
    return yield context.df.callActivity(Activities.registerCredential, { ...input, credential: credentialEvent.result });
  }
  return yield context.df.callActivity(Activities.markTimedOut, input);
};
