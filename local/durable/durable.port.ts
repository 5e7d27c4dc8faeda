/**
 * Persistence for the local durable engine (local/durable/): orchestration instances, their
 * replay history, an inbox of events waiting to be replayed, and the pending work (activities to
 * run, timers to fire) that episodes scheduled.
 *
 * Delivery guarantees the engine builds on:
 * - {@link DurableStore.commitEpisode} writes everything one orchestrator episode decided (history
 *   appended, inbox messages consumed, work scheduled or cancelled, instance status, messages to
 *   other instances, sub-orchestrations created) in ONE transaction. A crash before the commit
 *   replays the episode from the same inputs; a crash after it loses nothing and repeats nothing.
 * - {@link DurableStore.completeWork} deletes a work item and delivers its result message in one
 *   transaction. An activity whose completion was committed is never run again; an activity that
 *   was running when the process died is run again on the next start. Activities are therefore
 *   AT LEAST ONCE: make them idempotent (as on Azure, where the same holds).
 */

/** Runtime status names as `durable-functions` (OrchestrationRuntimeStatus) spells them. */
export type DurableRuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed' | 'Terminated' | 'ContinuedAsNew';

/** Statuses after which an instance never changes again (until restarted or purged). */
export const TERMINAL_DURABLE_STATUSES: readonly DurableRuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

export const isTerminalDurableStatus = (status: DurableRuntimeStatus): boolean =>
  TERMINAL_DURABLE_STATUSES.includes(status);

/**
 * A history event in the Durable Task wire shape that `durable-functions` replays
 * (`EventType`, `EventId`, `IsPlayed`, `Timestamp` plus type-specific PascalCase fields).
 * Payload fields (`Input`, `Result`) are JSON text, as the Functions host sends them.
 */
export interface DurableHistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  /** ISO-8601 UTC. */
  Timestamp: string;
  [field: string]: unknown;
}

/** One orchestration instance (its current execution). JSON fields are stored as text. */
export interface DurableInstance {
  instanceId: string;
  name: string;
  status: DurableRuntimeStatus;
  /** Changes on continue-as-new and on restart; messages for older executions are discarded. */
  executionId: string;
  input: string | null;
  output: string | null;
  customStatus: string | null;
  /** ISO-8601 UTC. */
  createdTime: string;
  /** ISO-8601 UTC. */
  lastUpdatedTime: string;
  parentInstanceId: string | null;
  parentExecutionId: string | null;
  /** The sequence number (EventId) of the parent's SubOrchestrationInstanceCreated event. */
  parentTaskId: number | null;
}

/** An event addressed to an instance and not yet replayed (the instance's inbox). */
export interface DurableMessage {
  id: number;
  instanceId: string;
  /** The execution the event belongs to; null for instance-wide events (raised events, terminate). */
  executionId: string | null;
  event: DurableHistoryEvent;
}

export type NewDurableMessage = Omit<DurableMessage, 'id'>;

/** Work an episode scheduled: run an activity, or fire a timer at `fireAt`. */
export interface DurableWorkItem {
  id: number;
  instanceId: string;
  executionId: string;
  kind: 'activity' | 'timer';
  /** EventId of the TaskScheduled / TimerCreated event this work answers. */
  taskId: number;
  /** Activity name (activities only). */
  name: string | null;
  /** Activity input as JSON text (activities only). */
  input: string | null;
  /** ISO-8601 UTC fire time (timers only). */
  fireAt: string | null;
}

export type NewDurableWorkItem = Omit<DurableWorkItem, 'id'>;

/** A sub-orchestration (or any instance) to create together with its ExecutionStarted message. */
export interface NewDurableInstance {
  instance: DurableInstance;
  start: NewDurableMessage;
}

/** Everything one orchestrator episode decided; applied atomically by {@link DurableStore.commitEpisode}. */
export interface DurableEpisodeCommit {
  instanceId: string;
  /** Optimistic check: the instance still runs this execution when the commit applies. */
  expectedExecutionId: string;
  /** Inbox messages this episode replayed (or discarded); all must still exist. */
  consumedMessageIds: number[];
  /** Drop the stored history before appending (continue-as-new starts a fresh history). */
  resetHistory: boolean;
  appendHistory: DurableHistoryEvent[];
  /** New values for the instance row (instanceId is never changed). */
  instance: Omit<
    DurableInstance,
    'instanceId' | 'createdTime' | 'parentInstanceId' | 'parentExecutionId' | 'parentTaskId' | 'name'
  >;
  newWork: NewDurableWorkItem[];
  /** Pending work of this instance to delete: 'all', or the given task ids. */
  cancelWork: 'all' | number[];
  /** Messages to this or other instances (parent notification, continue-as-new restart). */
  newMessages: NewDurableMessage[];
  /** Instances to create (sub-orchestrations); each id must be absent or terminal, else the commit fails. */
  createInstances: NewDurableInstance[];
}

/** Filter for listing or purging instances (all fields optional, combined with AND). */
export interface DurableInstanceFilter {
  runtimeStatus?: DurableRuntimeStatus[];
  createdTimeFrom?: string;
  createdTimeTo?: string;
  instanceIdPrefix?: string;
  name?: string;
  top?: number;
}

/** Thrown when an atomic write finds the world changed under it; the caller re-reads and retries. */
export class DurableStoreConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurableStoreConflictError';
  }
}

/** The durable engine's persistence port (adapter: ./durable.sqlite.ts). */
export interface DurableStore {
  getInstance(instanceId: string): Promise<DurableInstance | undefined>;
  listInstances(filter: DurableInstanceFilter): Promise<DurableInstance[]>;
  /** Non-terminal instances (resumed by the engine on start). */
  listActiveInstanceIds(): Promise<string[]>;
  /**
   * Creates the instance and its ExecutionStarted message, replacing a terminal instance of the
   * same id (history, inbox and work included). Throws {@link DurableStoreConflictError} if an
   * instance with that id exists and is not terminal.
   */
  createInstance(created: NewDurableInstance): Promise<void>;
  /** The whole history of the current execution in order, in one query. */
  loadHistory(instanceId: string): Promise<DurableHistoryEvent[]>;
  /** Inbox messages of the instance, oldest first. */
  pendingMessages(instanceId: string): Promise<DurableMessage[]>;
  /** Instance ids with at least one inbox message. */
  instancesWithMessages(): Promise<string[]>;
  /** Appends a message to an instance's inbox. */
  enqueueMessage(message: NewDurableMessage): Promise<void>;
  /** Applies one episode atomically; throws {@link DurableStoreConflictError} (nothing written) on a lost race. */
  commitEpisode(commit: DurableEpisodeCommit): Promise<{ newWork: DurableWorkItem[] }>;
  /** All pending work items (activities not yet completed, timers not yet fired). */
  pendingWork(): Promise<DurableWorkItem[]>;
  /**
   * Deletes the work item and enqueues its result in one transaction. Returns false (and writes
   * nothing) when the work item is gone (cancelled, instance completed or purged).
   */
  completeWork(workId: number, result: NewDurableMessage): Promise<boolean>;
  /** Deletes one instance with its history, inbox and work; returns how many instances were deleted. */
  purgeInstance(instanceId: string): Promise<number>;
  /** Deletes every matching instance (callers restrict it to terminal statuses). */
  purgeInstances(filter: DurableInstanceFilter): Promise<number>;
}
