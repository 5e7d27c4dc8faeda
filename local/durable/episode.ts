import type { LogHandler } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import {
  DurableEpisodeCommit,
  DurableHistoryEvent,
  DurableInstance,
  DurableMessage,
  isTerminalDurableStatus,
} from './durable.port';
import {
  NonDeterminismError,
  SchedulingAction,
  UnsupportedActionError,
  flattenActions,
  newActionsAfterReplay,
  originEvents,
} from './actionPlan';
import { commitFor, continueAsNew, finish, instanceFields } from './episodeCommits';
import * as ev from './historyEvents';
import { EventType, isSchedulingEvent } from './historyEvents';
import { runOrchestratorEpisode } from './orchestratorRunner';
import { retryStepFor } from './retries';
import { SchedulePlan } from './schedulePlan';

export interface EpisodeInput {
  instance: DurableInstance;
  /** Stored history of the current execution. */
  history: DurableHistoryEvent[];
  /** The instance's inbox, oldest first. */
  messages: DurableMessage[];
  /** Undefined when no orchestrator of that name is registered. */
  handler: OrchestrationHandler | undefined;
  registeredNames: string[];
  now: Date;
  newExecutionId: () => string;
  /** Reads another instance (sub-orchestration id clash check). */
  lookupInstance: (instanceId: string) => Promise<DurableInstance | undefined>;
  logHandler?: LogHandler;
}

/**
 * Decides one orchestrator episode: orders the inbox into this episode's new events, replays the
 * real orchestrator over history + new events, and turns what it asked for into one atomic commit
 * (history to append, work to schedule, status). Returns undefined when there is nothing to do.
 *
 * Sequence numbers: the library numbers tasks in the order it starts tracking them. Replayed
 * tasks keep the numbers history recorded; in a new episode the library first takes numbers for
 * the retry tasks of retry-chain events (replayed first, see retries.ts), then for the actions the
 * orchestrator newly yielded, in action-list order. The engine assigns EventIds in that same order.
 */
export async function decideEpisode(input: EpisodeInput): Promise<DurableEpisodeCommit | undefined> {
  const { instance, history, messages, now } = input;
  const consumed = messages.map((m) => m.id);
  const unchanged = (): DurableEpisodeCommit => commitFor(instance, consumed, { instance: instanceFields(instance) });
  // Messages of an older execution (before continue-as-new or a restart) are discarded.
  const live = messages.filter((m) => m.executionId === null || m.executionId === instance.executionId);
  if (isTerminalDurableStatus(instance.status)) return consumed.length ? unchanged() : undefined;

  const terminate = live.find((m) => m.event.EventType === EventType.ExecutionTerminated);
  if (terminate) {
    const reasonJson = (terminate.event.Input as string | undefined) ?? JSON.stringify('');
    const reason = JSON.parse(reasonJson) as string;
    return finish(input, consumed, [ev.orchestratorStarted(now), terminate.event], 'Terminated', reasonJson, {
      ErrorType: 'OrchestrationTerminated',
      ErrorMessage: `Orchestration '${instance.name}' (instance ${instance.instanceId}) was terminated: ${reason}`,
      IsNonRetriable: true,
    });
  }

  // ExecutionStarted only begins an empty history (a new instance, or one that continued as new).
  const started = history.length ? undefined : live.find((m) => m.event.EventType === EventType.ExecutionStarted);
  if (!history.length && !started) return undefined; // Nothing can run before ExecutionStarted arrives.

  const scheduledById = new Map<number, DurableHistoryEvent>();
  const answered = new Set<number>();
  let nextId = 0;
  for (const e of history) {
    if (isSchedulingEvent(e)) {
      scheduledById.set(e.EventId, e);
      nextId = Math.max(nextId, e.EventId + 1);
    }
    const answers = answeredTaskId(e);
    if (answers !== undefined) answered.add(answers);
  }
  // A result for a task history never scheduled, or already answered, would be handed by the
  // library to whichever task later gets that number; drop it instead.
  const relevant = live.filter((m) => {
    if (m === started) return false;
    const answers = answeredTaskId(m.event);
    if (answers === undefined) return m.event.EventType === EventType.EventRaised;
    if (!scheduledById.has(answers) || answered.has(answers)) return false;
    answered.add(answers);
    return true;
  });
  const withSteps = relevant.map((m) => ({ event: m.event, step: retryStepFor(m.event, scheduledById) }));
  const retryEvents = withSteps.filter((x) => x.step);
  const batch = [
    ...(started ? [started.event] : []),
    ...retryEvents.map((x) => x.event),
    ...withSteps.filter((x) => !x.step).map((x) => x.event),
  ];
  if (!batch.length) return consumed.length ? unchanged() : undefined;

  const newEvents = [ev.orchestratorStarted(now), ...batch.map((e) => ({ ...e, IsPlayed: false }))];
  if (!input.handler) {
    return finish(input, consumed, newEvents, 'Failed', undefined, {
      ErrorType: 'OrchestratorNotRegistered',
      ErrorMessage: `Orchestrator '${instance.name}' is not registered with the local durable engine; registered: ${input.registeredNames.join(', ') || '(none)'}.`,
      IsNonRetriable: true,
    });
  }
  const outcome = await runOrchestratorEpisode({
    name: instance.name,
    handler: input.handler,
    instanceId: instance.instanceId,
    parentInstanceId: instance.parentInstanceId,
    input: instance.input === null ? undefined : JSON.parse(instance.input),
    history: [...history.map((e) => ({ ...e, IsPlayed: true })), ...newEvents],
    logHandler: input.logHandler,
  });
  if (outcome.kind === 'failed') return finish(input, consumed, newEvents, 'Failed', undefined, outcome.failure);
  const { state } = outcome;

  let newActions: SchedulingAction[];
  let flat: ReturnType<typeof flattenActions>;
  const origins = originEvents(history);
  try {
    flat = flattenActions(state.actions);
    newActions = newActionsAfterReplay(instance.name, flat.scheduling, origins);
  } catch (error) {
    if (!(error instanceof NonDeterminismError || error instanceof UnsupportedActionError)) throw error;
    return finish(input, consumed, newEvents, 'Failed', undefined, {
      ErrorType: error instanceof NonDeterminismError ? 'NonDeterministicOrchestrationError' : 'UnsupportedActionError',
      ErrorMessage: `Orchestrator function '${instance.name}' failed: ${error.message}`,
      IsNonRetriable: true,
    });
  }
  const customStatus = ev.toJsonText(state.customStatus) ?? null;

  if (state.isDone && flat.continueAsNew) return continueAsNew(input, consumed, flat.continueAsNew.input, customStatus);
  if (state.isDone)
    return finish(
      input,
      consumed,
      newEvents,
      'Completed',
      ev.toJsonText(state.output) ?? null,
      undefined,
      customStatus,
    );

  const plan = new SchedulePlan(input, nextId);
  for (const { step } of retryEvents) await plan.addRetryStep(step!);
  for (const action of newActions) await plan.addAction(action);
  // Timers the orchestrator cancelled (e.g. the losing side of Task.any) need not fire.
  const cancelled = flat.scheduling
    .slice(0, origins.length)
    .flatMap((a, i) => (a.kind === 'timer' && a.canceled ? [origins[i].EventId] : []));
  return commitFor(instance, consumed, {
    appendHistory: [...newEvents, ...plan.events],
    instance: { ...instanceFields(instance), status: 'Running', customStatus, lastUpdatedTime: now.toISOString() },
    newWork: plan.work,
    cancelWork: cancelled,
    newMessages: plan.messages,
    createInstances: plan.children,
  });
}

/** The task id an event answers (completion, failure, timer firing), if any. */
function answeredTaskId(e: DurableHistoryEvent): number | undefined {
  switch (e.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return e.TaskScheduledId as number;
    case EventType.TimerFired:
      return e.TimerId as number;
    default:
      return undefined;
  }
}
