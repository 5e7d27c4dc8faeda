import {
  ReEnrolmentActivities,
  ReEnrolmentEvents,
  ReEnrolmentOrchestrator,
} from '../../orchestrations/reenrolment/names';
import { upnReEnrolmentOrchestrator } from '../../orchestrations/reenrolment/upnReEnrolment.orchestrator';
import type {
  DeleteOldPasskeysInput,
  MarkedPasskeys,
  UpnReEnrolmentInput,
} from '../../shared/ports/reEnrolmentOrchestrations.port';
import { startEngine, waitForStatus } from './support/engineHarness';

/** The real orchestrator replayed by the local engine, with fake activities (STYLE.md §6). */
describe('upnReEnrolment in the local durable engine', () => {
  const input: UpnReEnrolmentInput = {
    eventId: 'e1',
    userId: 'u1',
    changedAt: new Date().toISOString(),
    oldUserPrincipalName: 'a@x',
    newUserPrincipalName: 'b@x',
  };

  it('ignores a late event about an old passkey, ends on the new one and cancels the deadline timer', async () => {
    const deletions: DeleteOldPasskeysInput[] = [];
    const h = await startEngine({
      orchestrations: { [ReEnrolmentOrchestrator]: upnReEnrolmentOrchestrator },
      activities: {
        [ReEnrolmentActivities.markOldPasskeys]: async (): Promise<MarkedPasskeys> => ({
          oldMethodIds: ['old-1'],
          newMethodIds: [],
          graceHours: 1,
        }),
        [ReEnrolmentActivities.deleteOldPasskeys]: async (i: unknown) => {
          deletions.push(i as DeleteOldPasskeysInput);
          return { deletedMethodIds: ['old-1'] };
        },
      },
    });
    try {
      const id = await h.engine.startNew(ReEnrolmentOrchestrator, { instanceId: 'reenrol-u1', input });
      await waitForStatus(
        h.engine,
        id,
        (s) => (s.customStatus as { state?: string } | undefined)?.state === 'waitingForNewPasskey',
      );
      await h.engine.raiseEvent(id, ReEnrolmentEvents.newPasskeyRegistered, { methodId: 'old-1', eventId: 'late' });
      await h.engine.raiseEvent(id, ReEnrolmentEvents.newPasskeyRegistered, { methodId: 'new-1', eventId: 'e2' });
      const done = await h.engine.waitForCompletion(id, 5000);
      expect(done.runtimeStatus).toBe('Completed');
      expect(done.output).toMatchObject({ state: 'completed', newMethodId: 'new-1', oldMethodIds: ['old-1'] });
      expect(deletions).toEqual([
        { ...input, methodIds: ['old-1'], reason: 'newPasskeyRegistered', newMethodId: 'new-1' },
      ]);
      expect(await h.store.pendingWork()).toEqual([]); // the deadline timer was cancelled
    } finally {
      await h.close();
    }
  });
});
