import { DurableHistoryEvent } from './durable.port';
import { EventType, RetryMark, RetryPolicy, localMark } from './historyEvents';

/**
 * Delay before the next attempt after `failedAttempt` (1-based) failed, as Durable Task's
 * RetryInterceptor computes it: first interval × backoffCoefficient^(failedAttempt-1), capped by
 * maxRetryIntervalInMilliseconds. (retryTimeoutInMilliseconds is not honoured: the library's
 * RetryableTask counts attempts only and would wait forever for a retry the host skipped.)
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  const coefficient = policy.backoffCoefficient ?? 1;
  const delay = policy.firstRetryIntervalInMilliseconds * Math.pow(coefficient, failedAttempt - 1);
  const cap = policy.maxRetryIntervalInMilliseconds;
  return cap !== undefined && cap > 0 ? Math.min(delay, cap) : delay;
}

/**
 * What the host must do next for a retry chain, mirroring the library's RetryableTask: after an
 * attempt fails it waits on a retry timer (always, even after the last attempt: it then fails the
 * task when that timer fires); when the timer fires and attempts remain, it schedules the next one.
 */
export type RetryStep =
  { kind: 'retryTimer'; retry: RetryMark } | { kind: 'nextAttempt'; retry: RetryMark; origin: DurableHistoryEvent };

/**
 * The retry step an incoming event triggers, or undefined for ordinary events. Events with a
 * step make the library take the next sequence number immediately (for its internal retry task)
 * without resuming the orchestrator, which is why the engine replays them before other new events.
 */
export function retryStepFor(
  event: DurableHistoryEvent,
  scheduledById: Map<number, DurableHistoryEvent>,
): RetryStep | undefined {
  if (event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed) {
    const retry = localMark(scheduledById.get(event.TaskScheduledId as number) ?? emptyEvent)?.retry;
    return retry && { kind: 'retryTimer', retry };
  }
  if (event.EventType === EventType.TimerFired) {
    const mark = localMark(scheduledById.get(event.TimerId as number) ?? emptyEvent);
    if (!mark?.retryTimer || !mark.retry) return undefined;
    const origin = scheduledById.get(mark.retry.originId);
    if (!origin || mark.retry.attempt >= mark.retry.options.maxNumberOfAttempts) return undefined;
    return { kind: 'nextAttempt', retry: { ...mark.retry, attempt: mark.retry.attempt + 1 }, origin };
  }
  return undefined;
}

const emptyEvent: DurableHistoryEvent = { EventType: -1, EventId: -1, IsPlayed: false, Timestamp: '' };
