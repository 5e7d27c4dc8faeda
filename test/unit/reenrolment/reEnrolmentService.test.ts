import type { DomainEvent } from '../../../shared/ports/eventBus.port';
import type { ReEnrolmentInstance, ReEnrolmentOrchestrations, UpnReEnrolmentInput } from '../../../shared/ports/reEnrolmentOrchestrations.port';
import { ReEnrolmentService } from '../../../shared/services/reenrolment/reEnrolmentService';

/** The consumer decisions (start, skip, restart, notify) against a fake durable runtime. */
describe('ReEnrolmentService event decisions', () => {
  const service = new ReEnrolmentService({ graceHours: 72 } as never);

  function fakeFlows(initial: ReEnrolmentInstance | null = null) {
    let flow = initial;
    const calls: string[] = [];
    const flows: ReEnrolmentOrchestrations = {
      get: async () => flow,
      start: async (input) => {
        calls.push(`start ${input.eventId}`);
        flow = { instanceId: `reenrol-${input.userId}`, runtimeStatus: 'Running', input, customStatus: null, createdTime: '', lastUpdatedTime: '' };
      },
      stop: async () => {
        calls.push('stop');
        if (flow) flow = { ...flow, runtimeStatus: 'Terminated' };
      },
      notifyNewPasskey: async (_userId, event) => {
        calls.push(`notify ${event.methodId}`);
      },
    };
    return { flows, calls, current: () => flow };
  }

  const upnChanged = (id: string, time: string, upn = 'alice.smith@contoso.com'): DomainEvent => ({
    specversion: '1.0',
    id,
    type: 'user.upnChanged',
    source: 'test',
    subject: 'users/u-1',
    time,
    datacontenttype: 'application/json',
    data: { userId: 'u-1', oldUserPrincipalName: 'alice@contoso.com', newUserPrincipalName: upn },
  });
  const registered = (methodId: string): DomainEvent => ({ ...upnChanged(`reg-${methodId}`, '2025-03-01T09:00:00.000Z'), type: 'fido2Method.registered', data: { userId: 'u-1', method: { id: methodId } } });
  const running = (input: Partial<UpnReEnrolmentInput>, runtimeStatus = 'Running', oldMethodIds: string[] = []): ReEnrolmentInstance => ({
    instanceId: 'reenrol-u-1',
    runtimeStatus,
    input: { eventId: 'e1', userId: 'u-1', changedAt: '2025-03-01T08:00:00.000Z', oldUserPrincipalName: 'a', newUserPrincipalName: 'b', graceHours: 72, ...input },
    customStatus: { state: 'waitingForNewPasskey', eventId: 'e1', oldUserPrincipalName: 'a', newUserPrincipalName: 'b', oldMethodIds, deadline: null },
    createdTime: '',
    lastUpdatedTime: '',
  });

  it('starts the flow with the event id, change time and grace hours in its input', async () => {
    const fake = fakeFlows();
    await service.onUpnChanged(upnChanged('e1', '2025-03-01T08:00:00.000Z'), fake.flows);
    expect(fake.calls).toEqual(['start e1']);
    expect(fake.current()!.input).toEqual({ eventId: 'e1', userId: 'u-1', changedAt: '2025-03-01T08:00:00.000Z', oldUserPrincipalName: 'alice@contoso.com', newUserPrincipalName: 'alice.smith@contoso.com', graceHours: 72 });
  });

  it('skips a redelivered event, whether its flow is still running or finished', async () => {
    for (const status of ['Running', 'Completed']) {
      const fake = fakeFlows(running({ eventId: 'e1' }, status));
      await service.onUpnChanged(upnChanged('e1', '2025-03-01T08:00:00.000Z'), fake.flows);
      expect(fake.calls).toEqual([]);
    }
  });

  it('restarts a running flow on a second UPN change (stop, then start with the new event)', async () => {
    const fake = fakeFlows(running({ eventId: 'e1' }));
    await service.onUpnChanged(upnChanged('e2', '2025-03-01T09:00:00.000Z', 'alice.jones@contoso.com'), fake.flows);
    expect(fake.calls).toEqual(['stop', 'start e2']);
    expect(fake.current()!.input).toMatchObject({ eventId: 'e2', newUserPrincipalName: 'alice.jones@contoso.com' });
  });

  it('starts again without stopping when the earlier flow finished', async () => {
    const fake = fakeFlows(running({ eventId: 'e1' }, 'Completed'));
    await service.onUpnChanged(upnChanged('e2', '2025-03-01T09:00:00.000Z'), fake.flows);
    expect(fake.calls).toEqual(['start e2']);
  });

  it('ignores an outdated event arriving after a later change started its flow', async () => {
    const fake = fakeFlows(running({ eventId: 'e2', changedAt: '2025-03-01T09:00:00.000Z' }));
    await service.onUpnChanged(upnChanged('e1', '2025-03-01T08:00:00.000Z'), fake.flows);
    expect(fake.calls).toEqual([]);
  });

  it('tells a running flow about a new passkey, but not a finished flow nor about an old passkey', async () => {
    const live = fakeFlows(running({}, 'Running', ['old-1']));
    await service.onPasskeyRegistered(registered('new-1'), live.flows);
    await service.onPasskeyRegistered(registered('old-1'), live.flows);
    expect(live.calls).toEqual(['notify new-1']);

    const done = fakeFlows(running({}, 'Completed'));
    await service.onPasskeyRegistered(registered('new-1'), done.flows);
    const none = fakeFlows();
    await service.onPasskeyRegistered(registered('new-1'), none.flows);
    expect([...done.calls, ...none.calls]).toEqual([]);
  });
});
