import type { AuditRecord } from '../../../shared/domain/audit';
import { auditRecord } from '../../../shared/domain/auditRecords';
import type { User } from '../../../shared/domain/directory/directory';
import type { AuditQuery, AuditRepository } from '../../../shared/ports/audit.port';
import type { StoredCredential } from '../../../shared/ports/credentials.port';
import type { DomainEvent } from '../../../shared/ports/eventBus.port';
import type { EventEnvelope } from '../../../shared/domain/events/domainEvent';
import { InvocationContext } from '@azure/functions';
import type { App } from '../../../shared/app';
import { UnprocessableEventError } from '../../../shared/ports/eventBus.port';
import { reEnrolmentConsumer } from '../../../functions/consumers/reenrolment.consumer';
import type {
  ReEnrolmentInstance,
  ReEnrolmentOrchestrations,
  UpnReEnrolmentInput,
} from '../../../shared/ports/reEnrolmentOrchestrations.port';
import { ReEnrolmentDeps, ReEnrolmentService } from '../../../shared/services/reenrolment/reEnrolmentService';
import { EventTypes } from '../../../shared/domain/events/eventTypes';

/** An audit log in memory, filtered as the stores filter it (from inclusive, to exclusive). */
function memoryAudit(records: AuditRecord[]): AuditRepository {
  return {
    append: async (r) => void records.push(r),
    list: async (q: AuditQuery) => ({
      items: records
        .filter((r) => (!q.from || r.activityDateTime >= q.from) && (!q.to || r.activityDateTime < q.to))
        .reverse()
        .slice(0, q.top),
    }),
  };
}

const admin = { user: { id: 'admin', userPrincipalName: 'admin@contoso.com' }, app: null };
const user = (upn: string): User => ({
  id: 'u-1',
  userPrincipalName: upn,
  displayName: 'Alice',
  userType: 'Member',
  accountEnabled: true,
  mail: null,
  createdDateTime: '2025-01-01T00:00:00.000Z',
});
/** The audit record of a rename of u-1, as the directory service writes it. */
const renameRecord = (id: string, time: string, from: string, to: string): AuditRecord =>
  auditRecord({
    id,
    at: new Date(time),
    actor: admin,
    category: 'UserManagement',
    activityDisplayName: 'Update user',
    eventType: EventTypes.userUpnChanged,
    operationType: 'Update',
    target: { id: 'u-1', displayName: to, type: 'User' },
    before: user(from),
    after: user(to),
  });

/** The consumer decisions (start, skip, restart, notify) against a fake durable runtime. */
describe('ReEnrolmentService event decisions', () => {
  let currentUpn = 'alice.smith@contoso.com';
  const records: AuditRecord[] = [
    renameRecord('e1', '2025-03-01T08:00:00.000Z', 'alice@contoso.com', 'alice.smith@contoso.com'),
    renameRecord('e2', '2025-03-01T09:00:00.000Z', 'alice@contoso.com', 'alice.jones@contoso.com'),
  ];
  /** Passkeys in the store: one registered after the change, one before it, one of another user. */
  const passkeys: Record<string, Partial<StoredCredential>> = {
    'new-1': { userId: 'u-1', createdDateTime: '2025-03-01T08:30:00.000Z' },
    'before-1': { userId: 'u-1', createdDateTime: '2025-02-01T00:00:00.000Z' },
    'other-1': { userId: 'u-2', createdDateTime: '2025-03-01T08:30:00.000Z' },
  };
  const deps = {
    graceHours: 72,
    audit: memoryAudit(records),
    directory: { findUser: async (id: string) => (id === 'u-1' ? { value: user(currentUpn), etag: '1' } : null) },
    credentials: { get: async (id: string) => (passkeys[id] ? { value: { id, ...passkeys[id] }, etag: '1' } : null) },
  };
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
        flow = {
          instanceId: `reenrol-${input.userId}`,
          runtimeStatus: 'Running',
          input,
          customStatus: null,
          createdTime: '',
          lastUpdatedTime: '',
        };
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

  const outcome = { initiatedBy: admin, result: 'success' } as const;
  const upnChanged = (
    id: string,
    time: string,
    upn = 'alice.smith@contoso.com',
  ): DomainEvent<typeof EventTypes.userUpnChanged> => ({
    specversion: '1.0',
    id,
    type: 'user.upnChanged',
    source: 'test',
    subject: 'users/u-1',
    time,
    datacontenttype: 'application/json',
    data: { userId: 'u-1', oldUserPrincipalName: 'alice@contoso.com', newUserPrincipalName: upn, ...outcome },
  });
  const registered = (methodId: string): DomainEvent<typeof EventTypes.fido2MethodRegistered> => ({
    ...upnChanged(`reg-${methodId}`, '2025-03-01T09:00:00.000Z'),
    type: 'fido2Method.registered',
    data: { userId: 'u-1', userPrincipalName: 'alice.smith@contoso.com', method: { id: methodId }, ...outcome },
  });
  const running = (
    input: Partial<UpnReEnrolmentInput>,
    runtimeStatus = 'Running',
    oldMethodIds: string[] = [],
  ): ReEnrolmentInstance => ({
    instanceId: 'reenrol-u-1',
    runtimeStatus,
    input: {
      eventId: 'e1',
      userId: 'u-1',
      changedAt: '2025-03-01T08:00:00.000Z',
      oldUserPrincipalName: 'a',
      newUserPrincipalName: 'b',
      ...input,
    },
    customStatus: {
      state: 'waitingForNewPasskey',
      eventId: 'e1',
      oldUserPrincipalName: 'a',
      newUserPrincipalName: 'b',
      oldMethodIds,
      deadline: null,
    },
    createdTime: '',
    lastUpdatedTime: '',
  });

  it('starts the flow with the event id and change time in its input (no policy value in it)', async () => {
    const fake = fakeFlows();
    await service.onUpnChanged(upnChanged('e1', '2025-03-01T08:00:00.000Z'), fake.flows);
    expect(fake.calls).toEqual(['start e1']);
    expect(fake.current()!.input).toEqual({
      eventId: 'e1',
      userId: 'u-1',
      changedAt: '2025-03-01T08:00:00.000Z',
      oldUserPrincipalName: 'alice@contoso.com',
      newUserPrincipalName: 'alice.smith@contoso.com',
    });
  });

  it.each([
    ['no such change in the audit log (forged id)', () => upnChanged('forged', '2025-03-01T08:00:00.000Z')],
    ['a change recorded at another time', () => upnChanged('e1', '2025-03-01T08:00:00.001Z')],
    [
      'other names than the recorded change',
      () => ({
        ...upnChanged('e1', '2025-03-01T08:00:00.000Z'),
        data: {
          userId: 'u-1',
          oldUserPrincipalName: 'bob@contoso.com',
          newUserPrincipalName: 'alice.smith@contoso.com',
          ...outcome,
        },
      }),
    ],
    [
      'another user than the recorded change',
      () => ({
        ...upnChanged('e1', '2025-03-01T08:00:00.000Z'),
        data: {
          userId: 'u-2',
          oldUserPrincipalName: 'alice@contoso.com',
          newUserPrincipalName: 'alice.smith@contoso.com',
          ...outcome,
        },
      }),
    ],
  ])('attack: a forged user.upnChanged event (%s) starts nothing', async (_what, event) => {
    const fake = fakeFlows();
    await service.onUpnChanged(event(), fake.flows);
    expect(fake.calls).toEqual([]);
  });

  it('attack: a forged user.upnChanged event (malformed data) starts nothing: the consumer refuses it before the service sees it', async () => {
    const onUpnChanged = jest.fn();
    const app = { reEnrolment: { onUpnChanged, onPasskeyRegistered: onUpnChanged } } as unknown as App;
    const context = new InvocationContext({ functionName: reEnrolmentConsumer.name, logHandler: () => undefined });
    const malformed: EventEnvelope = { ...upnChanged('e1', '2025-03-01T08:00:00.000Z'), data: { userId: 42 } };
    const delivery = { deliveryCount: 1, subscription: reEnrolmentConsumer.subscription };
    await expect(reEnrolmentConsumer.handler(malformed, { app, context, delivery })).rejects.toThrow(
      UnprocessableEventError,
    );
    expect(onUpnChanged).not.toHaveBeenCalled();
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

  it.each([
    ['a passkey that is not in the store', 'forged-1'],
    ['a passkey registered before the change', 'before-1'],
    ["another user's passkey", 'other-1'],
  ])('attack: a forged fido2Method.registered event (%s) does not end the wait', async (_what, methodId) => {
    const live = fakeFlows(running({}, 'Running', ['old-1']));
    await service.onPasskeyRegistered(registered(methodId), live.flows);
    expect(live.calls).toEqual([]);
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

/** The activities read the store again before marking or deleting (fake store, real rules). */
describe('ReEnrolmentService activities re-check the store', () => {
  const CHANGED = '2025-03-01T08:00:00.000Z';
  const claim: UpnReEnrolmentInput = {
    eventId: 'e1',
    userId: 'u-1',
    changedAt: CHANGED,
    oldUserPrincipalName: 'alice@contoso.com',
    newUserPrincipalName: 'alice.smith@contoso.com',
  };

  function world(currentUpn: string) {
    const records: AuditRecord[] = [renameRecord('e1', CHANGED, 'alice@contoso.com', 'alice.smith@contoso.com')];
    const credentials = new Map<string, StoredCredential>();
    /** A passkey registered at `at` under `upn`, with its registration record (as the registration service writes it). */
    const passkey = (id: string, at: string, upn: string, reEnrolmentRequired = false) => {
      credentials.set(id, { id, userId: 'u-1', createdDateTime: at, reEnrolmentRequired } as StoredCredential);
      records.push(
        auditRecord({
          id: `reg-${id}`,
          at: new Date(at),
          actor: admin,
          category: 'UserManagement',
          activityDisplayName: 'Add Passkey (device-bound) security key',
          eventType: EventTypes.fido2MethodRegistered,
          operationType: 'Add',
          target: { id: 'u-1', displayName: upn, type: 'User' },
          before: null,
          after: { id },
        }),
      );
    };
    const deleted: string[] = [];
    const deps = {
      graceHours: 72,
      audit: memoryAudit(records),
      directory: { findUser: async (id: string) => (id === 'u-1' ? { value: user(currentUpn), etag: '1' } : null) },
      credentials: {
        listByUser: async () => [...credentials.values()],
        get: async (id: string) => (credentials.has(id) ? { value: credentials.get(id)!, etag: '1' } : null),
        update: async (c: StoredCredential) => {
          credentials.set(c.id, c);
          return { value: c, etag: '2' };
        },
      },
      methods: {
        delete: async (_userId: string, id: string) => {
          deleted.push(id);
          credentials.delete(id);
        },
      },
    };
    return { service: new ReEnrolmentService(deps as unknown as ReEnrolmentDeps), passkey, credentials, deleted };
  }

  it('marks only passkeys registered under a name the user no longer has, and reads the grace period from configuration', async () => {
    const w = world('alice.smith@contoso.com');
    w.passkey('old', '2025-02-01T00:00:00.000Z', 'alice@contoso.com');
    w.passkey('new', '2025-03-02T00:00:00.000Z', 'alice.smith@contoso.com');
    w.passkey('older-name', '2025-01-10T00:00:00.000Z', 'a.older@contoso.com');
    w.credentials.set('unrecorded', {
      id: 'unrecorded',
      userId: 'u-1',
      createdDateTime: '2025-02-02T00:00:00.000Z',
      reEnrolmentRequired: false,
    } as StoredCredential);
    expect(await w.service.markOldPasskeys(claim)).toEqual({
      oldMethodIds: ['old', 'older-name'],
      newMethodIds: ['new'],
      graceHours: 72,
    });
    expect(w.credentials.get('old')!.reEnrolmentRequired).toBe(true);
    expect(w.credentials.get('unrecorded')!.reEnrolmentRequired).toBe(false); // no proof of its name: kept as it is
  });

  it('attack: a forged claim marks nothing and reports why', async () => {
    const w = world('alice.smith@contoso.com');
    w.passkey('old', '2025-02-01T00:00:00.000Z', 'alice@contoso.com');
    const marked = await w.service.markOldPasskeys({ ...claim, eventId: 'forged' });
    expect(marked).toMatchObject({
      oldMethodIds: [],
      newMethodIds: [],
      graceHours: 72,
      notConfirmed: expect.stringMatching(/^changeNotConfirmed/),
    });
    expect(w.credentials.get('old')!.reEnrolmentRequired).toBe(false);
  });

  it('deletes the old passkeys when the store still shows the change', async () => {
    const w = world('alice.smith@contoso.com');
    w.passkey('old', '2025-02-01T00:00:00.000Z', 'alice@contoso.com', true);
    w.passkey('fresh', '2025-03-02T00:00:00.000Z', 'alice.smith@contoso.com');
    expect(
      await w.service.deleteOldPasskeys({
        ...claim,
        methodIds: ['old'],
        reason: 'newPasskeyRegistered',
        newMethodId: 'fresh',
      }),
    ).toEqual({ deletedMethodIds: ['old'] });
    expect(w.deleted).toEqual(['old']);
  });

  it.each([
    ['not in the store', 'missing'],
    ['registered before the change', 'old'],
    ['not named', undefined],
  ])('attack: the delete activity ending the wait on a new passkey %s deletes nothing', async (_what, newMethodId) => {
    const w = world('alice.smith@contoso.com');
    w.passkey('old', '2025-02-01T00:00:00.000Z', 'alice@contoso.com', true);
    const result = await w.service.deleteOldPasskeys({
      ...claim,
      methodIds: ['old'],
      reason: 'newPasskeyRegistered',
      newMethodId,
    });
    expect(result).toEqual({ deletedMethodIds: [], notConfirmed: expect.stringMatching(/new passkey/) });
    expect(w.deleted).toEqual([]);
  });

  it.each([
    ['a forged event id', { ...claim, eventId: 'forged' }, 'alice.smith@contoso.com'],
    ['a forged old name', { ...claim, oldUserPrincipalName: 'someone@contoso.com' }, 'alice.smith@contoso.com'],
    ['another user', { ...claim, userId: 'u-2' }, 'alice.smith@contoso.com'],
    ['a name changed back during the grace period', claim, 'alice@contoso.com'],
  ])('attack: the delete activity with %s deletes nothing', async (_what, forged, currentUpn) => {
    const w = world(currentUpn);
    w.passkey('old', '2025-02-01T00:00:00.000Z', 'alice@contoso.com', true);
    const result = await w.service.deleteOldPasskeys({
      ...forged,
      methodIds: ['old'],
      reason: 'deadlinePassed',
      notice: { id: 'n1', at: CHANGED, newUserPrincipalName: 'x' },
    });
    expect(result).toEqual({ deletedMethodIds: [], notConfirmed: expect.stringMatching(/^changeNotConfirmed/) });
    expect(w.deleted).toEqual([]);
  });

  it('attack: the delete activity skips passkeys it was not asked about legitimately (unmarked, newer, under the current name, another user)', async () => {
    const w = world('alice.smith@contoso.com');
    w.passkey('unmarked', '2025-02-01T00:00:00.000Z', 'alice@contoso.com', false);
    w.passkey('newer', '2025-03-02T00:00:00.000Z', 'alice@contoso.com', true);
    w.passkey('current-name', '2025-02-01T00:00:00.000Z', 'alice.smith@contoso.com', true);
    w.credentials.set('bobs', {
      id: 'bobs',
      userId: 'u-2',
      createdDateTime: '2025-02-01T00:00:00.000Z',
      reEnrolmentRequired: true,
    } as StoredCredential);
    const result = await w.service.deleteOldPasskeys({
      ...claim,
      methodIds: ['unmarked', 'newer', 'current-name', 'bobs', 'gone'],
      reason: 'deadlinePassed',
    });
    expect(result).toEqual({ deletedMethodIds: [] });
    expect(w.deleted).toEqual([]);
  });
});
