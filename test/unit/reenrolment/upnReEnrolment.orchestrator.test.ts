import type { OrchestrationContext, Task } from 'durable-functions';
import { ReEnrolmentActivities, ReEnrolmentEvents } from '../../../orchestrations/reenrolment/names';
import { upnReEnrolmentOrchestrator } from '../../../orchestrations/reenrolment/upnReEnrolment.orchestrator';
import type { UpnReEnrolmentInput } from '../../../shared/ports/reEnrolmentOrchestrations.port';

type FakeTask = { kind: string; result?: unknown; cancel?: jest.Mock; [k: string]: unknown };

/** Steps the orchestrator generator with a fake context (STYLE.md §6): no engine, no replay. */
describe('upnReEnrolment orchestrator (generator stepped with fakes)', () => {
  const START = new Date('2025-03-01T08:00:00.000Z');
  const input: UpnReEnrolmentInput = {
    eventId: 'evt-1',
    userId: 'u-1',
    changedAt: '2025-03-01T07:59:59.000Z',
    oldUserPrincipalName: 'alice@contoso.com',
    newUserPrincipalName: 'alice.smith@contoso.com',
  };
  const DEADLINE = '2025-03-04T08:00:00.000Z';

  function fakeContext(given: unknown = input) {
    const setCustomStatus = jest.fn();
    const callActivity = jest.fn((name: string, activityInput: unknown): FakeTask => ({
      kind: 'activity',
      name,
      input: activityInput,
    }));
    const timers: FakeTask[] = [];
    const createTimer = jest.fn((fireAt: Date): FakeTask => {
      const timer = { kind: 'timer', fireAt, cancel: jest.fn() };
      timers.push(timer);
      return timer;
    });
    const events: FakeTask[] = [];
    const waitForExternalEvent = jest.fn((name: string): FakeTask => {
      const event = { kind: 'event', name };
      events.push(event);
      return event;
    });
    const any = jest.fn((tasks: FakeTask[]) => ({ kind: 'any', tasks }) as unknown as Task);
    const newGuid = jest.fn(() => 'guid-1');
    const context = {
      df: {
        instanceId: 'reenrol-u-1',
        currentUtcDateTime: START,
        getInput: () => given,
        setCustomStatus,
        callActivity,
        createTimer,
        waitForExternalEvent,
        newGuid,
        Task: { any },
      },
    };
    return {
      context: context as unknown as OrchestrationContext,
      setCustomStatus,
      callActivity,
      createTimer,
      waitForExternalEvent,
      any,
      timers,
      events,
    };
  }

  const lastStatus = (fake: ReturnType<typeof fakeContext>) => fake.setCustomStatus.mock.calls.at(-1)![0];

  it('marks the old passkeys, waits, and deletes them when a new passkey arrives (timer cancelled)', () => {
    const fake = fakeContext();
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;

    const mark = generator.next();
    expect(mark.value).toEqual({ kind: 'activity', name: ReEnrolmentActivities.markOldPasskeys, input });

    const race = generator.next({ oldMethodIds: ['old-1', 'old-2'], newMethodIds: [], graceHours: 72 });
    expect(fake.createTimer).toHaveBeenCalledWith(new Date(DEADLINE));
    expect(fake.waitForExternalEvent).toHaveBeenCalledWith(ReEnrolmentEvents.newPasskeyRegistered);
    expect(race.value).toEqual({ kind: 'any', tasks: [fake.events[0], fake.timers[0]] });
    expect(lastStatus(fake)).toEqual({
      state: 'waitingForNewPasskey',
      eventId: 'evt-1',
      oldUserPrincipalName: 'alice@contoso.com',
      newUserPrincipalName: 'alice.smith@contoso.com',
      oldMethodIds: ['old-1', 'old-2'],
      deadline: DEADLINE,
    });

    fake.events[0].result = { methodId: 'new-1', eventId: 'evt-2' };
    const remove = generator.next(fake.events[0]);
    expect(fake.timers[0].cancel).toHaveBeenCalled();
    expect(remove.value).toEqual({
      kind: 'activity',
      name: ReEnrolmentActivities.deleteOldPasskeys,
      input: { ...input, methodIds: ['old-1', 'old-2'], reason: 'newPasskeyRegistered', newMethodId: 'new-1' },
    });

    const done = generator.next({ deletedMethodIds: ['old-1', 'old-2'] });
    expect(done.done).toBe(true);
    expect(done.value).toMatchObject({ state: 'completed', newMethodId: 'new-1', oldMethodIds: ['old-1', 'old-2'] });
    expect(lastStatus(fake)).toEqual(done.value);
  });

  it('deletes the old passkeys anyway at the deadline and records that the user was told', () => {
    const fake = fakeContext();
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    generator.next();
    generator.next({ oldMethodIds: ['old-1'], newMethodIds: [], graceHours: 72 });

    const remove = generator.next(fake.timers[0]);
    expect(fake.timers[0].cancel).not.toHaveBeenCalled();
    expect(remove.value).toEqual({
      kind: 'activity',
      name: ReEnrolmentActivities.deleteOldPasskeys,
      input: {
        ...input,
        methodIds: ['old-1'],
        reason: 'deadlinePassed',
        notice: { id: 'guid-1', at: DEADLINE, newUserPrincipalName: 'alice.smith@contoso.com' },
      },
    });
    const done = generator.next({ deletedMethodIds: ['old-1'] });
    expect(done.value).toMatchObject({
      state: 'deadlinePassed',
      deadline: DEADLINE,
      message: 'deadlinePassed — old passkeys deleted, user must register again',
    });
  });

  it('keeps waiting (same timer) when the event names one of the old passkeys', () => {
    const fake = fakeContext();
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    generator.next();
    generator.next({ oldMethodIds: ['old-1'], newMethodIds: [], graceHours: 72 });

    fake.events[0].result = { methodId: 'old-1', eventId: 'late' };
    const again = generator.next(fake.events[0]);
    expect(again.value).toEqual({ kind: 'any', tasks: [fake.events[1], fake.timers[0]] });
    expect(fake.createTimer).toHaveBeenCalledTimes(1);
    expect(fake.timers[0].cancel).not.toHaveBeenCalled();

    fake.events[1].result = { methodId: 'new-1', eventId: 'evt-3' };
    const remove = generator.next(fake.events[1]);
    expect((remove.value as FakeTask).input).toMatchObject({ reason: 'newPasskeyRegistered' });
    expect(fake.timers[0].cancel).toHaveBeenCalled();
  });

  it('does not wait when a passkey was already registered after the change', () => {
    const fake = fakeContext();
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    generator.next();
    const remove = generator.next({ oldMethodIds: ['old-1'], newMethodIds: ['new-0'], graceHours: 72 });
    expect(fake.createTimer).not.toHaveBeenCalled();
    expect((remove.value as FakeTask).input).toEqual({
      ...input,
      methodIds: ['old-1'],
      reason: 'newPasskeyRegistered',
      newMethodId: 'new-0',
    });
    expect(generator.next({ deletedMethodIds: ['old-1'] }).value).toMatchObject({
      state: 'completed',
      newMethodId: 'new-0',
    });
  });

  it('ends at once when the user had no passkeys before the change', () => {
    const fake = fakeContext();
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    generator.next();
    const done = generator.next({ oldMethodIds: [], newMethodIds: [], graceHours: 72 });
    expect(done).toEqual({
      done: true,
      value: expect.objectContaining({ state: 'nothingToReEnrol', oldMethodIds: [], deadline: null }),
    });
    expect(fake.createTimer).not.toHaveBeenCalled();
    expect(fake.callActivity).toHaveBeenCalledTimes(1);
  });
  it.each([
    ['no input', null],
    ['a string', 'reenrol everyone'],
    ['a missing userId', { ...input, userId: undefined }],
    ['a changedAt that is not a date', { ...input, changedAt: 'yesterday' }],
    ['an empty old UPN', { ...input, oldUserPrincipalName: '' }],
  ])('attack: an input with %s fails the instance before any activity runs', (_what, bad) => {
    const fake = fakeContext(bad);
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    expect(() => generator.next()).toThrow(/Invalid input for upnReEnrolment/);
    expect(fake.callActivity).not.toHaveBeenCalled();
  });

  it('attack: graceHours 0 in the input is ignored; the deadline uses the grace period the mark activity read from configuration', () => {
    const fake = fakeContext({ ...input, graceHours: 0 });
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    expect((generator.next().value as FakeTask).input).toEqual(input); // graceHours dropped
    generator.next({ oldMethodIds: ['old-1'], newMethodIds: [], graceHours: 72 });
    expect(fake.createTimer).toHaveBeenCalledWith(new Date(DEADLINE));
    expect(lastStatus(fake)).toMatchObject({ state: 'waitingForNewPasskey', deadline: DEADLINE });
  });

  it('ends without deleting when the mark activity does not find the change in the store', () => {
    const fake = fakeContext();
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    generator.next();
    const done = generator.next({
      oldMethodIds: [],
      newMethodIds: [],
      graceHours: 72,
      notConfirmed: 'changeNotConfirmed — no such change',
    });
    expect(done).toEqual({
      done: true,
      value: expect.objectContaining({ state: 'changeNotConfirmed', message: 'changeNotConfirmed — no such change' }),
    });
    expect(fake.callActivity).toHaveBeenCalledTimes(1);
  });

  it('reports changeNotConfirmed when the delete activity finds the change undone', () => {
    const fake = fakeContext();
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    generator.next();
    generator.next({ oldMethodIds: ['old-1'], newMethodIds: [], graceHours: 72 });
    generator.next(fake.timers[0]);
    const done = generator.next({ deletedMethodIds: [], notConfirmed: 'changeNotConfirmed — changed back' });
    expect(done.value).toMatchObject({
      state: 'changeNotConfirmed',
      message: 'changeNotConfirmed — changed back',
      oldMethodIds: ['old-1'],
    });
  });

  it('ignores a malformed newPasskeyRegistered event and keeps waiting', () => {
    const fake = fakeContext();
    const generator = upnReEnrolmentOrchestrator(fake.context) as Generator<unknown, unknown, unknown>;
    generator.next();
    generator.next({ oldMethodIds: ['old-1'], newMethodIds: [], graceHours: 72 });
    fake.events[0].result = { nope: true };
    expect(generator.next(fake.events[0]).value).toEqual({ kind: 'any', tasks: [fake.events[1], fake.timers[0]] });
  });
});
