import { DurableHistoryEvent } from './durable.port';
import { EventType, RetryPolicy, localMark } from './historyEvents';

/**
 * Action types as durable-functions numbers them (lib/src/actions/ActionType.js). These objects
 * are what the Functions host receives from an orchestrator episode.
 */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

/** One action that takes a sequence number: the orchestrator will wait for an event with that id. */
export type SchedulingAction =
  | { kind: 'activity'; name: string; input: unknown; retry?: RetryPolicy }
  | { kind: 'subOrchestration'; name: string; input: unknown; instanceId?: string; retry?: RetryPolicy }
  | { kind: 'timer'; fireAt: Date; canceled: boolean };

export interface FlatActions {
  scheduling: SchedulingAction[];
  /** Set when the orchestrator called continueAsNew (the last call wins). */
  continueAsNew?: { input: unknown };
}

interface RawAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  retryOptions?: RetryPolicy;
  fireAt?: Date;
  isCanceled?: boolean;
  compoundActions?: RawAction[];
}

/** Thrown for an action this engine cannot carry out (entities, callHttp). */
export class UnsupportedActionError extends Error {}

const UNSUPPORTED: Record<number, string> = {
  [ActionType.CallEntity]: 'callEntity (durable entities)',
  [ActionType.SignalEntity]: 'signalEntity (durable entities)',
  [ActionType.LockEntities]: 'lock (durable entities)',
  [ActionType.ReleaseEntities]: 'lock release (durable entities)',
  [ActionType.CallHttp]: 'callHttp',
};

// CallActivityAction and ContinueAsNewAction JSON-encode string inputs (Utils.processInput) because
// the host parses them once more; undo that so activities receive what the orchestrator passed.
const unwrapProcessedInput = (input: unknown): unknown => (typeof input === 'string' ? JSON.parse(input) : input);

/**
 * Flattens the cumulative V3+ action list into the order the library assigned sequence numbers
 * (depth-first through Task.all/Task.any), keeping each action object once: a task yielded again
 * inside a later Task.all keeps its first sequence number, and so must not be scheduled twice.
 */
export function flattenActions(actions: unknown[][]): FlatActions {
  const seen = new Set<RawAction>();
  const result: FlatActions = { scheduling: [] };
  const visit = (action: RawAction): void => {
    if (seen.has(action)) return;
    seen.add(action);
    switch (action.actionType) {
      case ActionType.WhenAll:
      case ActionType.WhenAny:
        for (const child of action.compoundActions ?? []) visit(child);
        return;
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry:
        result.scheduling.push({
          kind: 'activity',
          name: action.functionName!,
          input: unwrapProcessedInput(action.input),
          retry: action.actionType === ActionType.CallActivityWithRetry ? retryPolicy(action.retryOptions!) : undefined,
        });
        return;
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry:
        result.scheduling.push({
          kind: 'subOrchestration',
          name: action.functionName!,
          input: action.input,
          instanceId: action.instanceId || undefined,
          retry:
            action.actionType === ActionType.CallSubOrchestratorWithRetry
              ? retryPolicy(action.retryOptions!)
              : undefined,
        });
        return;
      case ActionType.CreateTimer:
        result.scheduling.push({
          kind: 'timer',
          fireAt: new Date(action.fireAt!),
          canceled: action.isCanceled === true,
        });
        return;
      case ActionType.ContinueAsNew:
        result.continueAsNew = { input: unwrapProcessedInput(action.input) };
        return;
      case ActionType.WaitForExternalEvent:
        // Matched by event name against EventRaised events; takes no sequence number.
        return;
      default:
        throw new UnsupportedActionError(
          `The local durable engine does not support ${UNSUPPORTED[action.actionType] ?? `action type ${action.actionType}`}; ` +
            'supported: activities, sub-orchestrations, timers, external events, continueAsNew, Task.all/Task.any.',
        );
    }
  };
  for (const action of actions.flat()) visit(action as RawAction);
  return result;
}

const retryPolicy = (o: RetryPolicy): RetryPolicy => ({
  firstRetryIntervalInMilliseconds: o.firstRetryIntervalInMilliseconds,
  maxNumberOfAttempts: o.maxNumberOfAttempts,
  backoffCoefficient: o.backoffCoefficient,
  maxRetryIntervalInMilliseconds: o.maxRetryIntervalInMilliseconds,
});

/** Thrown when the replayed orchestrator no longer issues what its history recorded. */
export class NonDeterminismError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NonDeterminismError';
  }
}

const describeAction = (a: SchedulingAction): string =>
  a.kind === 'timer' ? 'CreateTimer' : `${a.kind === 'activity' ? 'CallActivity' : 'CallSubOrchestrator'} "${a.name}"`;

const describeEvent = (e: DurableHistoryEvent): string => {
  const type =
    e.EventType === EventType.TaskScheduled
      ? 'TaskScheduled'
      : e.EventType === EventType.TimerCreated
        ? 'TimerCreated'
        : 'SubOrchestrationInstanceCreated';
  return `${type}${e.Name ? ` "${String(e.Name)}"` : ''} (EventId ${e.EventId})`;
};

const matches = (a: SchedulingAction, e: DurableHistoryEvent): boolean => {
  if (a.kind === 'timer') return e.EventType === EventType.TimerCreated;
  const type = a.kind === 'activity' ? EventType.TaskScheduled : EventType.SubOrchestrationInstanceCreated;
  return e.EventType === type && e.Name === a.name;
};

/**
 * The scheduling events in history that orchestrator actions created, in order: every
 * TaskScheduled / TimerCreated / SubOrchestrationInstanceCreated except those the engine added on
 * its own for retries (retry timers and second and later attempts).
 */
export function originEvents(history: DurableHistoryEvent[]): DurableHistoryEvent[] {
  return history.filter((e) => {
    if (
      e.EventType !== EventType.TaskScheduled &&
      e.EventType !== EventType.TimerCreated &&
      e.EventType !== EventType.SubOrchestrationInstanceCreated
    ) {
      return false;
    }
    const mark = localMark(e);
    return !mark?.retryTimer && !(mark?.retry && mark.retry.attempt > 1);
  });
}

/**
 * Checks that the actions the replay reproduced match, position by position, what history
 * recorded, and returns the actions that are new in this episode. Throws NonDeterminismError with
 * both sides named otherwise (as Durable Task's NonDeterministicOrchestrationException does).
 */
export function newActionsAfterReplay(
  orchestratorName: string,
  scheduling: SchedulingAction[],
  origins: DurableHistoryEvent[],
): SchedulingAction[] {
  const advice =
    'Orchestrator code must be deterministic: same calls in the same order on every replay (see STYLE.md §5).';
  for (let i = 0; i < origins.length; i++) {
    const action = scheduling[i];
    if (!action) {
      throw new NonDeterminismError(
        `Non-deterministic replay of orchestrator '${orchestratorName}': history recorded ${describeEvent(origins[i])} as scheduled action #${i}, ` +
          `but the replayed orchestrator scheduled only ${scheduling.length} action(s). ${advice}`,
      );
    }
    if (!matches(action, origins[i])) {
      throw new NonDeterminismError(
        `Non-deterministic replay of orchestrator '${orchestratorName}': scheduled action #${i} is ${describeAction(action)}, ` +
          `but history recorded ${describeEvent(origins[i])} at that position. ${advice}`,
      );
    }
  }
  return scheduling.slice(origins.length);
}
