import type { DurableInstance } from './durable.port';

/** The instance record of a new orchestration (started by a client, or as a parent's sub-orchestration). */
export function pendingInstance(init: {
  instanceId: string;
  name: string;
  executionId: string;
  inputJson: string | undefined;
  now: Date;
  parent?: { instanceId: string; executionId: string; taskId: number };
}): DurableInstance {
  const at = init.now.toISOString();
  return {
    instanceId: init.instanceId,
    name: init.name,
    status: 'Pending',
    executionId: init.executionId,
    input: init.inputJson ?? null,
    output: null,
    customStatus: null,
    createdTime: at,
    lastUpdatedTime: at,
    parentInstanceId: init.parent?.instanceId ?? null,
    parentExecutionId: init.parent?.executionId ?? null,
    parentTaskId: init.parent?.taskId ?? null,
  };
}
