import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { DeleteOldPasskeysInput, ReEnrolmentStatus } from '../../shared/ports/reEnrolmentOrchestrations.port';
import { DEADLINE_PASSED_MESSAGE } from '../../shared/services/reenrolment/reEnrolmentService';
import { parseOrchestrationInput } from '../orchestrationInput';
import { NewPasskeyRegisteredSchema, UpnReEnrolmentInputSchema } from './inputs';
import { ReEnrolmentEvents, ReEnrolmentOrchestrator } from './names';
import { deleteOldPasskeys, markOldPasskeys } from './reenrolment.activities';

const HOUR_MS = 3_600_000;

/**
 * A user's UPN changed: the passkeys registered under the old name are marked for re-enrolment
 * (they keep signing in), then the flow waits for a new passkey or the grace deadline, whichever
 * comes first, and deletes the old ones. Time comes from the orchestration clock; the deadline
 * timer is cancelled when the new passkey wins; all I/O happens in the activities.
 *
 * The input is only a claim: it is validated here (a bad one fails the instance before any
 * activity runs), the activities confirm the change against the store before marking and again
 * before deleting, and the grace period comes from configuration through the mark activity.
 */
export const upnReEnrolmentOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = parseOrchestrationInput(UpnReEnrolmentInputSchema, context.df.getInput(), ReEnrolmentOrchestrator);
  const base = {
    eventId: input.eventId,
    oldUserPrincipalName: input.oldUserPrincipalName,
    newUserPrincipalName: input.newUserPrincipalName,
  };
  const status = (s: Omit<ReEnrolmentStatus, keyof typeof base>): ReEnrolmentStatus => {
    const full = { ...base, ...s };
    context.df.setCustomStatus(full);
    return full;
  };
  status({ state: 'markingOldPasskeys', oldMethodIds: [], deadline: null });

  const marked = markOldPasskeys.result(yield markOldPasskeys.call(context, input));
  const { oldMethodIds, newMethodIds } = marked;
  if (marked.notConfirmed)
    return status({ state: 'changeNotConfirmed', oldMethodIds: [], deadline: null, message: marked.notConfirmed });
  if (oldMethodIds.length === 0) return status({ state: 'nothingToReEnrol', oldMethodIds, deadline: null });
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + marked.graceHours * HOUR_MS);

  // A passkey registered between the change and this start already counts as the new one.
  let newMethodId: string | undefined = newMethodIds[0];
  if (!newMethodId) {
    status({ state: 'waitingForNewPasskey', oldMethodIds, deadline: deadline.toISOString() });
    const timer = context.df.createTimer(deadline);
    for (;;) {
      const registered = context.df.waitForExternalEvent(ReEnrolmentEvents.newPasskeyRegistered);
      const winner = yield context.df.Task.any([registered, timer]);
      if (winner !== registered) break;
      const event = NewPasskeyRegisteredSchema.safeParse(registered.result);
      // A malformed event, or a late one about a passkey from before the change, does not end the wait.
      if (!event.success || oldMethodIds.includes(event.data.methodId)) continue;
      newMethodId = event.data.methodId;
      timer.cancel();
      break;
    }
  }

  status({ state: 'deletingOldPasskeys', oldMethodIds, deadline: deadline.toISOString(), newMethodId });
  const deleteInput: DeleteOldPasskeysInput = newMethodId
    ? { ...input, methodIds: oldMethodIds, reason: 'newPasskeyRegistered', newMethodId }
    : {
        ...input,
        methodIds: oldMethodIds,
        reason: 'deadlinePassed',
        notice: {
          id: context.df.newGuid(context.df.instanceId),
          at: deadline.toISOString(),
          newUserPrincipalName: input.newUserPrincipalName,
        },
      };
  const deleted = deleteOldPasskeys.result(yield deleteOldPasskeys.call(context, deleteInput));
  if (deleted.notConfirmed)
    return status({
      state: 'changeNotConfirmed',
      oldMethodIds,
      deadline: deadline.toISOString(),
      newMethodId,
      message: deleted.notConfirmed,
    });
  return newMethodId
    ? status({ state: 'completed', oldMethodIds, deadline: deadline.toISOString(), newMethodId })
    : status({
        state: 'deadlinePassed',
        oldMethodIds,
        deadline: deadline.toISOString(),
        message: DEADLINE_PASSED_MESSAGE,
      });
};
