import { DurableEpisodeCommit, DurableHistoryEvent, DurableInstance, NewDurableMessage } from './durable.port';
import * as ev from './historyEvents';
import { FailureDetails } from './historyEvents';

/** What the commit builders need to know about the episode. */
export interface CommitContext {
  instance: DurableInstance;
  now: Date;
  newExecutionId: () => string;
}

/** The instance row's updatable fields, unchanged. */
export const instanceFields = (i: DurableInstance): DurableEpisodeCommit['instance'] => ({
  status: i.status,
  executionId: i.executionId,
  input: i.input,
  output: i.output,
  customStatus: i.customStatus,
  lastUpdatedTime: i.lastUpdatedTime,
});

/** A commit that consumes `consumed` and changes only what `parts` says. */
export function commitFor(
  instance: DurableInstance,
  consumed: number[],
  parts: Partial<DurableEpisodeCommit> & Pick<DurableEpisodeCommit, 'instance'>,
): DurableEpisodeCommit {
  return {
    instanceId: instance.instanceId,
    expectedExecutionId: instance.executionId,
    consumedMessageIds: consumed,
    resetHistory: false,
    appendHistory: [],
    newWork: [],
    cancelWork: [],
    newMessages: [],
    createInstances: [],
    ...parts,
  };
}

/** Ends the execution: final history event, status, no pending work left, parent notified. */
export function finish(
  input: CommitContext,
  consumed: number[],
  newEvents: DurableHistoryEvent[],
  status: 'Completed' | 'Failed' | 'Terminated',
  outputJson: string | null | undefined,
  failure?: FailureDetails,
  customStatus: string | null = input.instance.customStatus,
): DurableEpisodeCommit {
  const { instance, now } = input;
  const output = status === 'Failed' ? JSON.stringify(failure!.ErrorMessage) : (outputJson ?? null);
  const closing =
    status === 'Terminated'
      ? []
      : [ev.executionCompleted(now, status, output, status === 'Failed' ? failure : undefined)];
  const newMessages: NewDurableMessage[] = [];
  if (instance.parentInstanceId && instance.parentTaskId !== null) {
    newMessages.push({
      instanceId: instance.parentInstanceId,
      executionId: instance.parentExecutionId,
      event:
        status === 'Completed'
          ? ev.subOrchestrationCompleted(now, instance.parentTaskId, output)
          : ev.subOrchestrationFailed(now, instance.parentTaskId, failure!),
    });
  }
  return commitFor(instance, consumed, {
    appendHistory: [...newEvents, ...closing],
    instance: { ...instanceFields(instance), status, output, customStatus, lastUpdatedTime: now.toISOString() },
    cancelWork: 'all',
    newMessages,
  });
}

/** Starts a fresh execution: history reset, new input, pending work dropped; raised events not yet replayed carry over. */
export function continueAsNew(
  input: CommitContext,
  consumed: number[],
  newInput: unknown,
  customStatus: string | null,
): DurableEpisodeCommit {
  const { instance, now } = input;
  const executionId = input.newExecutionId();
  const inputJson = ev.toJsonText(newInput);
  return commitFor(instance, consumed, {
    resetHistory: true,
    instance: {
      status: 'ContinuedAsNew',
      executionId,
      input: inputJson ?? null,
      output: null,
      customStatus,
      lastUpdatedTime: now.toISOString(),
    },
    cancelWork: 'all',
    newMessages: [
      {
        instanceId: instance.instanceId,
        executionId,
        event: ev.executionStarted(now, instance.name, inputJson, instance.instanceId, executionId),
      },
    ],
  });
}
