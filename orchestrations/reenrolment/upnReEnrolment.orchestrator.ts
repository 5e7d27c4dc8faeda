import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { DeleteOldPasskeysInput, MarkedPasskeys, NewPasskeyRegistered, ReEnrolmentStatus, UpnReEnrolmentInput } from '../../shared/ports/reEnrolmentOrchestrations.port';
import { ReEnrolmentActivities, ReEnrolmentEvents } from './names';

const HOUR_MS = 3_600_000;

/**
 * A user's UPN changed: the passkeys registered under the old name are marked for re-enrolment
 * (they keep signing in), then the flow waits for a new passkey or the grace deadline, whichever
 * comes first, and deletes the old ones. Time comes from the orchestration clock; the deadline
 * timer is cancelled when the new passkey wins; all I/O happens in the activities.
 */
export const upnReEnrolmentOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as UpnReEnrolmentInput;
  const deadline = new Date(context.df.currentUtcDateTime.getTime() + input.graceHours * HOUR_MS);
  const base = { eventId: input.eventId, oldUserPrincipalName: input.oldUserPrincipalName, newUserPrincipalName: input.newUserPrincipalName };
  const status = (s: Omit<ReEnrolmentStatus, keyof typeof base>): ReEnrolmentStatus => {
    const full = { ...base, ...s };
    context.df.setCustomStatus(full);
    return full;
  };
  status({ state: 'markingOldPasskeys', oldMethodIds: [], deadline: null });

  const { oldMethodIds, newMethodIds } = (yield context.df.callActivity(ReEnrolmentActivities.markOldPasskeys, { userId: input.userId, changedAt: input.changedAt })) as MarkedPasskeys;
  if (oldMethodIds.length === 0) return status({ state: 'nothingToReEnrol', oldMethodIds, deadline: null });

  // A passkey registered between the change and this start already counts as the new one.
  let newMethodId: string | undefined = newMethodIds[0];
  if (!newMethodId) {
    status({ state: 'waitingForNewPasskey', oldMethodIds, deadline: deadline.toISOString() });
    const timer = context.df.createTimer(deadline);
    for (;;) {
      const registered = context.df.waitForExternalEvent(ReEnrolmentEvents.newPasskeyRegistered);
      const winner = yield context.df.Task.any([registered, timer]);
      if (winner !== registered) break;
      const { methodId } = registered.result as NewPasskeyRegistered;
      // A late event about a passkey from before the change does not end the wait.
      if (oldMethodIds.includes(methodId)) continue;
      newMethodId = methodId;
      timer.cancel();
      break;
    }
  }

  status({ state: 'deletingOldPasskeys', oldMethodIds, deadline: deadline.toISOString(), newMethodId });
  const deleteInput: DeleteOldPasskeysInput = newMethodId
    ? { userId: input.userId, methodIds: oldMethodIds, reason: 'newPasskeyRegistered' }
    : {
        userId: input.userId,
        methodIds: oldMethodIds,
        reason: 'deadlinePassed',
        notice: { id: context.df.newGuid(context.df.instanceId), at: deadline.toISOString(), newUserPrincipalName: input.newUserPrincipalName },
      };
  yield context.df.callActivity(ReEnrolmentActivities.deleteOldPasskeys, deleteInput);
  return newMethodId
    ? status({ state: 'completed', oldMethodIds, deadline: deadline.toISOString(), newMethodId })
    : status({ state: 'deadlinePassed', oldMethodIds, deadline: deadline.toISOString(), message: 'deadlinePassed — old passkeys deleted, user must register again' });
};
