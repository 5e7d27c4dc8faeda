import { InvocationContext, LogHandler } from '@azure/functions';
import type { ActivityHandler } from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { DurableHistoryEvent, DurableWorkItem } from './durable.port';
import { failureDetailsOf, taskCompleted, taskFailed } from './historyEvents';

/**
 * Runs one scheduled activity with a real InvocationContext, as the Functions host would invoke
 * an activityTrigger, and returns the TaskCompleted / TaskFailed event to deliver to its
 * orchestrator. Never throws: a missing or failing activity becomes a TaskFailed.
 */
export async function runActivity(
  item: DurableWorkItem,
  handler: ActivityHandler | undefined,
  registeredNames: string[],
  now: () => Date,
  logHandler?: LogHandler,
): Promise<DurableHistoryEvent> {
  try {
    if (!handler) {
      throw new Error(
        `Activity '${item.name}' is not registered with the local durable engine; registered: ${registeredNames.join(', ') || '(none)'}.`,
      );
    }
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: item.name ?? 'unknown',
      options: { trigger: { type: 'activityTrigger', name: 'input' } },
      triggerMetadata: { instanceId: item.instanceId },
      logHandler,
    });
    const input = item.input === null ? undefined : JSON.parse(item.input);
    const result = await handler(input, context);
    return taskCompleted(now(), item.taskId, result);
  } catch (error) {
    return taskFailed(now(), item.taskId, failureDetailsOf(error));
  }
}
