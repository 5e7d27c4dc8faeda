import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { z } from 'zod';
import { parseOrchestrationInput } from '../orchestrationInput';
import { ClaimedEventSchema, ProvisionUserInputSchema } from './inputs';
import { Orchestrators, ProvisioningEvents } from './names';
import { markTimedOut, prepareUser, registerCredential } from './provisioning.activities';

export type ProvisionUserInput = z.infer<typeof ProvisionUserInputSchema>;

export type ClaimedEvent = z.infer<typeof ClaimedEventSchema>;

/**
 * One user of a job: check the user (guests and policy refusals end here), wait for a station to
 * claim them, then wait for the credential until the challenge times out, register it and record
 * the outcome. Time comes from the orchestration clock; the timer is cancelled when the credential wins.
 */
export const provisionUserOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = parseOrchestrationInput(ProvisionUserInputSchema, context.df.getInput(), Orchestrators.user);
  const prepared = prepareUser.result(yield prepareUser.call(context, input));
  if (prepared !== 'ready') return prepared;

  const claimed = parseOrchestrationInput(
    ClaimedEventSchema,
    yield context.df.waitForExternalEvent(ProvisioningEvents.claimed),
    `${Orchestrators.user} event ${ProvisioningEvents.claimed}`,
  );
  if ('refused' in claimed) return 'refusedByPolicy';

  const credentialEvent = context.df.waitForExternalEvent(ProvisioningEvents.credential);
  const deadline = context.df.createTimer(new Date(claimed.expiresAt));
  const winner = yield context.df.Task.any([credentialEvent, deadline]);
  if (winner === credentialEvent) {
    deadline.cancel();
    return registerCredential.result(
      yield registerCredential.call(context, { ...input, credential: credentialEvent.result }),
    );
  }
  return markTimedOut.result(yield markTimedOut.call(context, input));
};
