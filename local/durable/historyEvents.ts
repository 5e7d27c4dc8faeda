import { DurableHistoryEvent } from './durable.port';

/**
 * Durable Task history event types, numbered as `durable-functions` 3.x numbers them
 * (lib/src/history/HistoryEventType.js, the same numbers as DurableTask.Core's EventType).
 * Note ExecutionFailed is 2, ExecutionTerminated 3 and ContinueAsNew 16.
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export const eventTypeName = (type: number): string =>
  (Object.keys(EventType) as Array<keyof typeof EventType>).find((k) => EventType[k] === type) ?? `EventType${type}`;

/** Retry bookkeeping the engine keeps on the events of a callActivityWithRetry / callSubOrchestratorWithRetry chain. */
export interface RetryMark {
  /** EventId of the chain's first TaskScheduled / SubOrchestrationInstanceCreated. */
  originId: number;
  /** On a scheduled event: which attempt it is (1-based). On a retry timer: the attempt that failed. */
  attempt: number;
  options: RetryPolicy;
}

/** The fields of durable-functions' RetryOptions the engine honours. */
export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
}

/** Engine-private bookkeeping stored on a history event; `durable-functions` ignores unknown fields. */
export interface LocalMark {
  retry?: RetryMark;
  /** A retry timer (not an orchestrator-created timer). */
  retryTimer?: boolean;
}

export const localMark = (event: DurableHistoryEvent): LocalMark | undefined => event._local as LocalMark | undefined;

/** JSON text for a payload field; `undefined` stays absent, as the host leaves it. */
export const toJsonText = (value: unknown): string | undefined =>
  value === undefined ? undefined : JSON.stringify(value);

/** Non-scheduling events carry EventId -1, as Durable Task does. */
const base = (type: number, timestamp: Date, eventId = -1): DurableHistoryEvent => ({
  EventType: type,
  EventId: eventId,
  IsPlayed: false,
  Timestamp: timestamp.toISOString(),
});

export const orchestratorStarted = (at: Date) => base(EventType.OrchestratorStarted, at);

export const executionStarted = (
  at: Date,
  name: string,
  input: string | undefined,
  instanceId: string,
  executionId: string,
  parent?: { instanceId: string; executionId: string; name: string; taskId: number },
): DurableHistoryEvent => ({
  ...base(EventType.ExecutionStarted, at),
  Name: name,
  Input: input,
  Version: '',
  OrchestrationInstance: { InstanceId: instanceId, ExecutionId: executionId },
  ...(parent && {
    ParentInstance: {
      Name: parent.name,
      TaskScheduleId: parent.taskId,
      OrchestrationInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId },
    },
  }),
});

export const taskScheduled = (
  at: Date,
  id: number,
  name: string,
  input: string | undefined,
  mark?: LocalMark,
): DurableHistoryEvent => ({
  ...base(EventType.TaskScheduled, at, id),
  Name: name,
  Input: input,
  ...(mark && { _local: mark }),
});

export const taskCompleted = (at: Date, taskId: number, result: unknown): DurableHistoryEvent => ({
  ...base(EventType.TaskCompleted, at),
  TaskScheduledId: taskId,
  // The library JSON.parses Result unconditionally, so an activity that returns nothing yields "null".
  Result: JSON.stringify(result ?? null),
});

/** Failure details in the wire shape the library turns into a TaskFailedError. */
export interface FailureDetails {
  ErrorType: string;
  ErrorMessage: string;
  StackTrace?: string;
  IsNonRetriable: boolean;
}

export const failureDetailsOf = (error: unknown): FailureDetails => {
  const e = error instanceof Error ? error : new Error(typeof error === 'string' ? error : JSON.stringify(error));
  return { ErrorType: e.name || 'Error', ErrorMessage: e.message, StackTrace: e.stack, IsNonRetriable: false };
};

export const taskFailed = (at: Date, taskId: number, failure: FailureDetails): DurableHistoryEvent => ({
  ...base(EventType.TaskFailed, at),
  TaskScheduledId: taskId,
  Reason: failure.ErrorMessage,
  Details: failure.StackTrace,
  FailureDetails: failure,
});

export const timerCreated = (at: Date, id: number, fireAt: Date, mark?: LocalMark): DurableHistoryEvent => ({
  ...base(EventType.TimerCreated, at, id),
  FireAt: fireAt.toISOString(),
  ...(mark && { _local: mark }),
});

export const timerFired = (at: Date, timerId: number, fireAt: string): DurableHistoryEvent => ({
  ...base(EventType.TimerFired, at),
  TimerId: timerId,
  FireAt: fireAt,
});

export const subOrchestrationCreated = (
  at: Date,
  id: number,
  name: string,
  instanceId: string,
  input: string | undefined,
  mark?: LocalMark,
): DurableHistoryEvent => ({
  ...base(EventType.SubOrchestrationInstanceCreated, at, id),
  Name: name,
  InstanceId: instanceId,
  Input: input,
  ...(mark && { _local: mark }),
});

export const subOrchestrationCompleted = (
  at: Date,
  taskId: number,
  resultJson: string | null,
): DurableHistoryEvent => ({
  ...base(EventType.SubOrchestrationInstanceCompleted, at),
  TaskScheduledId: taskId,
  Result: resultJson ?? 'null',
});

export const subOrchestrationFailed = (at: Date, taskId: number, failure: FailureDetails): DurableHistoryEvent => ({
  ...base(EventType.SubOrchestrationInstanceFailed, at),
  TaskScheduledId: taskId,
  Reason: failure.ErrorMessage,
  Details: failure.StackTrace,
  FailureDetails: failure,
});

export const eventRaised = (at: Date, name: string, data: unknown): DurableHistoryEvent => ({
  ...base(EventType.EventRaised, at),
  Name: name,
  Input: toJsonText(data),
});

export const executionTerminated = (at: Date, reason: string): DurableHistoryEvent => ({
  ...base(EventType.ExecutionTerminated, at),
  Input: JSON.stringify(reason),
});

export const executionCompleted = (
  at: Date,
  status: 'Completed' | 'Failed',
  resultJson: string | null,
  failure?: FailureDetails,
): DurableHistoryEvent => ({
  ...base(EventType.ExecutionCompleted, at),
  OrchestrationStatus: status,
  Result: resultJson ?? undefined,
  ...(failure && { FailureDetails: failure }),
});

/** Events that take a sequence number (EventId) the orchestrator's tasks are matched by. */
export const isSchedulingEvent = (event: DurableHistoryEvent): boolean =>
  event.EventType === EventType.TaskScheduled ||
  event.EventType === EventType.TimerCreated ||
  event.EventType === EventType.SubOrchestrationInstanceCreated;
