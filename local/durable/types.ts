import type { LogHandler } from '@azure/functions';
import type { ActivityHandler, OrchestrationHandler } from 'durable-functions';
import type { Clock } from '../../shared/ports/clock.port';
import type { DurableRuntimeStatus, DurableStore } from './durable.port';

/**
 * The orchestrators and activities the engine can run, by function name. Outside the Functions
 * host `df.app.orchestration` / `df.app.activity` only warn and drop their registration, so the
 * same handlers are handed to the engine here (the handlers are the ones registered on Azure).
 */
export interface DurableRegistry {
  orchestrations: Record<string, OrchestrationHandler>;
  activities: Record<string, ActivityHandler>;
}

export interface LocalDurableEngineOptions {
  store: DurableStore;
  registry: DurableRegistry;
  /** Activities run at the same time (default 8). */
  concurrency?: number;
  /** Time source for history timestamps and timer due times (default: system clock). */
  clock?: Clock;
  /** Receives orchestrator/activity `context.log` calls and engine warnings (default: console for warnings and errors). */
  logHandler?: LogHandler;
}

/** Status of one instance, shaped like the Durable Functions HTTP API's (and the client's DurableOrchestrationStatus). */
export interface DurableInstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: DurableRuntimeStatus;
  /** ISO-8601 UTC. */
  createdTime: string;
  /** ISO-8601 UTC. */
  lastUpdatedTime: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  history?: Array<Record<string, unknown>>;
}

export interface GetStatusOptions {
  showHistory?: boolean;
  /** With showHistory: include activity results and inputs in history entries. */
  showHistoryOutput?: boolean;
  /** Include the instance input (default true). */
  showInput?: boolean;
}

export interface ListInstancesFilter {
  runtimeStatus?: DurableRuntimeStatus[];
  createdTimeFrom?: Date | string;
  createdTimeTo?: Date | string;
  instanceIdPrefix?: string;
  name?: string;
  top?: number;
  showInput?: boolean;
}

/** Error kinds the management routes map to HTTP statuses (404, 410, 409, 400). */
export type DurableEngineErrorKind = 'notFound' | 'gone' | 'conflict' | 'badRequest';

/** An engine API misuse or state conflict, with a stable kind for the HTTP edge. */
export class DurableEngineError extends Error {
  constructor(
    readonly kind: DurableEngineErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'DurableEngineError';
  }
}
