import type { AuditRecord } from '../../../shared/domain/audit';
import { auditRecord } from '../../../shared/domain/auditRecords';
import type { User } from '../../../shared/domain/directory/directory';
import type { AuditQuery, AuditRepository } from '../../../shared/ports/audit.port';
import type { DomainEvent } from '../../../shared/ports/eventBus.port';
import type { ReEnrolmentInstance, ReEnrolmentOrchestrations, UpnReEnrolmentInput } from '../../../shared/ports/reEnrolmentOrchestrations.port';
import { ReEnrolmentDeps, ReEnrolmentService } from '../../../shared/services/reenrolment/reEnrolmentService';

/** An audit log in memory, filtered as the stores filter it (from inclusive, to exclusive). */
function memoryAudit(records: AuditRecord[]): AuditRepository {
  return {
    append: async (r) => void records.push(r),
    list: async (q: AuditQuery) => ({ items: records.filter((r) => (!q.from || r.activityDateTime >= q.from) && (!q.to || r.activityDateTime < q.to)).reverse().slice(0, q.top) }),
  };
}

const admin = { user: { id: 'admin', userPrincipalName: 'admin@contoso.com' }, app: null };
const user = (upn: string): User => ({ id: 'u-1', userPrincipalName: upn, displayName: 'Alice', userType: 'Member', accountEnabled: true, mail: null, createdDateTime: '2025-01-01T00:00:00.000Z' });
/** The audit record of a rename of u-1, as the directory service writes it. */
const renameRecord = (id: string, time: string, from: string, to: string): AuditRecord =>
  auditRecord({ id, at: new Date(time), actor: admin, category: 'UserManagement', activityDisplayName: 'Update user', operationType: 'Update', target: { id: 'u-1', displayName: to, type: 'User' }, before: user(from), after: user(to) });

/** The consumer decisions (start, skip, restart, notify) against a fake durable runtime. */
describe('ReEnrolmentService event decisions', () => {
  let currentUpn = 'alice.smith@contoso.com';
  const records: AuditRecord[] = [
    renameRecord('e1', '2025-03-01T08:00:00.000Z', 'alice@contoso.com', 'alice.smith@contoso.com'),
    renameRecord('e2', '2025-03-01T09:00:00.000Z', 'alice@contoso.com', 'alice.jones@contoso.com'),
  ];
  const deps = { graceHours: 72, audit: memoryAudit(records), directory: { findUser: async (id: string) => (id === 'u-1' ? { value: user(currentUpn), etag: '1' } : null) } };
  const service = new ReEnrolmentService(deps as unknown as ReEnrolmentDeps);
  beforeEach(() => {
    currentUpn = 'alice.smith@contoso.com';
  });

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
    input: { eventId: 'e1', userId: 'u-1', changedAt: '2025-03-01T08:00:00.000Z', oldUserPrincipalName: 'a', newUserPrincipalName: 'b', ...input },
    customStatus: { state: 'waitingForNewPasskey', eventId: 'e1', oldUserPrincipalName: 'a', newUserPrincipalName: 'b', oldMethodIds, deadline: null },
    createdTime: '',
    lastUpdatedTime: '',
  });

  it('starts the flow with the event id and change time in its input (no policy value in it)', async () => {
    const fake = fakeFlows();
    await service.onUpnChanged(upnChanged('e1', '2025-03-01T08:00:00.000Z'), fake.flows);
    expect(fake.calls).toEqual(['start e1']);
    expect(fake.current()!.input).toEqual({ eventId: 'e1', userId: 'u-1', changedAt: '2025-03-01T08:00:00.000Z', oldUserPrincipalName: 'alice@contoso.com', newUserPrincipalName: 'alice.smith@contoso.com' });
  });

  it.each([
    ['no such change in the audit log (forged id)', () => upnChanged('forged', '2025-03-01T08:00:00.000Z')],
    ['a change recorded at another time', () => upnChanged('e1', '2025-03-01T08:00:00.001Z')],
    ['other names than the recorded change', () => ({ ...upnChanged('e1', '2025-03-01T08:00:00.000Z'), data: { userId: 'u-1', oldUserPrincipalName: 'bob@contoso.com', newUserPrincipalName: 'alice.smith@contoso.com' } })],
    ['another user than the recorded change', () => ({ ...upnChanged('e1', '2025-03-01T08:00:00.000Z'), data: { userId: 'u-2', oldUserPrincipalName: 'alice@contoso.com', newUserPrincipalName: 'alice.smith@contoso.com' } })],
    ['malformed data', () => ({ ...upnChanged('e1', '2025-03-01T08:00:00.000Z'), data: { userId: 42 } })],
  ])('attack: a forged user.upnChanged event (%s) starts nothing', async (_what, event) => {
    const fake = fakeFlows();
    await service.onUpnChanged(event(), fake.flows);
    expect(fake.calls).toEqual([]);
  });

  it('attack: a stale user.upnChanged event for a user whose UPN is the old one again starts nothing', async () => {
    currentUpn = 'ALICE@contoso.com';
    const fake = fakeFlows();
    await service.onUpnChanged(upnChanged('e1', '2025-03-01T08:00:00.000Z'), fake.flows);
    expect(fake.calls).toEqual([]);
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
    await service.onUpnChanged(upnChanged('e2', '2025-03-01T09:00:00.000Z', 'alice.jones@contoso.com'), fake.flows);
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
