import { DurableHistoryEvent, DurableInstance } from './durable.port';
import { EventType, eventTypeName } from './historyEvents';
import { DurableInstanceStatus, GetStatusOptions } from './types';

const parseJson = (text: string | null | undefined): unknown =>
  text === null || text === undefined ? null : JSON.parse(text);

/**
 * The status document of an instance, as the Durable Functions HTTP API returns it (input, output
 * and customStatus as JSON values, null when absent — the client refuses undefined ones).
 */
export function toInstanceStatus(
  instance: DurableInstance,
  history: DurableHistoryEvent[] | undefined,
  options: GetStatusOptions = {},
): DurableInstanceStatus {
  return {
    name: instance.name,
    instanceId: instance.instanceId,
    runtimeStatus: instance.status,
    createdTime: instance.createdTime,
    lastUpdatedTime: instance.lastUpdatedTime,
    input: options.showInput === false ? null : parseJson(instance.input),
    output: parseJson(instance.output),
    customStatus: parseJson(instance.customStatus),
    ...(history && { history: historyView(history, options.showHistoryOutput === true) }),
  };
}

/**
 * A readable history like the HTTP API's showHistory: event type names, function names and
 * scheduled times on completions; OrchestratorStarted markers and engine bookkeeping left out.
 */
export function historyView(history: DurableHistoryEvent[], withOutput: boolean): Array<Record<string, unknown>> {
  const scheduled = new Map(history.filter((e) => e.EventId >= 0).map((e) => [e.EventId, e]));
  return history
    .filter((e) => e.EventType !== EventType.OrchestratorStarted)
    .map((e) => {
      const entry: Record<string, unknown> = { EventType: eventTypeName(e.EventType), Timestamp: e.Timestamp };
      if (e.EventId >= 0) entry.EventId = e.EventId;
      const taskId = (e.TaskScheduledId ?? e.TimerId) as number | undefined;
      const origin = taskId === undefined ? undefined : scheduled.get(taskId);
      if (origin) entry.ScheduledTime = origin.Timestamp;
      const name = e.Name ?? origin?.Name;
      if (name !== undefined) entry.FunctionName = name;
      if (e.InstanceId !== undefined) entry.InstanceId = e.InstanceId;
      if (e.FireAt !== undefined) entry.FireAt = e.FireAt;
      if (e.OrchestrationStatus !== undefined) entry.OrchestrationStatus = e.OrchestrationStatus;
      if (e.FailureDetails !== undefined) entry.FailureDetails = e.FailureDetails;
      if (withOutput) {
        if (e.Input !== undefined) entry.Input = parseJson(e.Input as string);
        if (e.Result !== undefined) entry.Result = parseJson(e.Result as string);
      }
      return entry;
    });
}
