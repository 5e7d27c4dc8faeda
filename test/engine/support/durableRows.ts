import { DurableInstance } from '../../../local/durable/durable.port';

/** Rows for the durable store's tests: one timestamp, history events and a pending instance. */
export const T = '2024-05-01T10:00:00.000Z';

export const event = (EventType: number, EventId = -1) => ({ EventType, EventId, IsPlayed: false, Timestamp: T });

export const instance = (instanceId: string, overrides: Partial<DurableInstance> = {}): DurableInstance => ({
  instanceId,
  name: 'flow',
  status: 'Pending',
  executionId: 'e1',
  input: '1',
  output: null,
  customStatus: null,
  createdTime: T,
  lastUpdatedTime: T,
  parentInstanceId: null,
  parentExecutionId: null,
  parentTaskId: null,
  ...overrides,
});
