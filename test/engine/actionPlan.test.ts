import * as df from 'durable-functions';
import {
  ActionType,
  NonDeterminismError,
  flattenActions,
  newActionsAfterReplay,
  originEvents,
} from '../../local/durable/actionPlan';
import { EventType, taskScheduled, timerCreated } from '../../local/durable/historyEvents';

const T = new Date('2024-05-01T10:00:00.000Z');

describe('actionPlan', () => {
  it('flattens Task.all/any depth-first, keeps a re-yielded action once and unwraps JSON-encoded string inputs', () => {
    const a = { actionType: ActionType.CallActivity, functionName: 'a', input: '"text"' };
    const b = {
      actionType: ActionType.CallActivityWithRetry,
      functionName: 'b',
      input: { n: 1 },
      retryOptions: new df.RetryOptions(10, 3),
    };
    const timer = { actionType: ActionType.CreateTimer, fireAt: T, isCanceled: true };
    const wait = { actionType: ActionType.WaitForExternalEvent, externalEventName: 'e' };
    const flat = flattenActions([
      [
        a,
        {
          actionType: ActionType.WhenAny,
          compoundActions: [a, { actionType: ActionType.WhenAll, compoundActions: [b, timer] }, wait],
        },
      ],
    ]);
    expect(flat.scheduling).toEqual([
      { kind: 'activity', name: 'a', input: 'text', retry: undefined },
      {
        kind: 'activity',
        name: 'b',
        input: { n: 1 },
        retry: {
          firstRetryIntervalInMilliseconds: 10,
          maxNumberOfAttempts: 3,
          backoffCoefficient: undefined,
          maxRetryIntervalInMilliseconds: undefined,
        },
      },
      { kind: 'timer', fireAt: T, canceled: true },
    ]);
  });

  it('refuses entity and HTTP actions with a clear message', () => {
    expect(() => flattenActions([[{ actionType: ActionType.CallHttp }]])).toThrow(
      'The local durable engine does not support callHttp;',
    );
    expect(() => flattenActions([[{ actionType: ActionType.SignalEntity }]])).toThrow(
      'signalEntity (durable entities)',
    );
  });

  it('returns only the actions beyond what history recorded, ignoring engine-made retry events', () => {
    const history = [
      taskScheduled(T, 0, 'a', undefined, {
        retry: { originId: 0, attempt: 1, options: { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 2 } },
      }),
      timerCreated(T, 1, T, { retryTimer: true }),
      taskScheduled(T, 2, 'a', undefined, {
        retry: { originId: 0, attempt: 2, options: { firstRetryIntervalInMilliseconds: 1, maxNumberOfAttempts: 2 } },
      }),
      timerCreated(T, 3, T),
    ];
    expect(originEvents(history).map((e) => e.EventId)).toEqual([0, 3]);
    const next = { kind: 'activity' as const, name: 'c', input: 1 };
    expect(
      newActionsAfterReplay(
        'o',
        [{ kind: 'activity', name: 'a', input: undefined }, { kind: 'timer', fireAt: T, canceled: false }, next],
        originEvents(history),
      ),
    ).toEqual([next]);
  });

  it('names both sides of a non-deterministic replay', () => {
    const history = [
      taskScheduled(T, 0, 'a', undefined),
      { ...timerCreated(T, 1, T), EventType: EventType.TimerCreated },
    ];
    expect(() =>
      newActionsAfterReplay(
        'o',
        [
          { kind: 'activity', name: 'a', input: 1 },
          { kind: 'activity', name: 'x', input: 1 },
        ],
        history,
      ),
    ).toThrow(
      new NonDeterminismError(
        'Non-deterministic replay of orchestrator \'o\': scheduled action #1 is CallActivity "x", but history recorded TimerCreated (EventId 1) at that position. ' +
          'Orchestrator code must be deterministic: same calls in the same order on every replay (see STYLE.md §5).',
      ),
    );
    expect(() => newActionsAfterReplay('o', [{ kind: 'activity', name: 'a', input: 1 }], history)).toThrow(
      /scheduled only 1 action\(s\)/,
    );
  });
});
