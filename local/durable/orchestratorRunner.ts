import { InvocationContext, LogHandler } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { DurableHistoryEvent } from './durable.port';
import { FailureDetails } from './historyEvents';

/**
 * What the Functions host would receive back from the orchestrator function: durable-functions'
 * OrchestratorState (lib/src/orchestrations/OrchestratorState.js). With replay schema V3+ `actions`
 * is `[[...cumulative actions of the whole execution...]]`, the live action objects.
 */
export interface OrchestratorState {
  isDone: boolean;
  actions: unknown[][];
  output: unknown;
  customStatus?: unknown;
  error?: string;
  schemaVersion: number;
}

export type EpisodeOutcome = { kind: 'state'; state: OrchestratorState } | { kind: 'failed'; failure: FailureDetails };

interface OrchestratorClass {
  new (fn: OrchestrationHandler): { handle(trigger: unknown, context: InvocationContext): Promise<OrchestratorState> };
}

// durable-functions 3.x exposes no public way to invoke an orchestrator outside the host:
// df.app.orchestration() wraps the handler in this class (via createOrchestrator) and hands it to
// app.generic, which drops it outside the host. So we use the same class the host path uses.
// test/engine/durableLibraryCanary.test.ts checks this module and the constants below against the installed library.
/** The library-internal module that holds the Orchestrator class. */
export const ORCHESTRATOR_MODULE = 'durable-functions/lib/src/orchestrations/Orchestrator';
const { Orchestrator } = require(ORCHESTRATOR_MODULE) as { Orchestrator: OrchestratorClass };

/** ReplaySchema.V4 (lib/src/orchestrations/ReplaySchema.js): flat, cumulative action list. */
export const REPLAY_SCHEMA_V4 = 3;

/** Separator durable-functions puts between the error message and the serialized state (lib/src/error/OrchestrationFailureError.js). */
export const OUT_OF_PROC_DATA_LABEL = '\n\n$OutOfProcData$:';

export interface RunOrchestratorArgs {
  name: string;
  handler: OrchestrationHandler;
  instanceId: string;
  parentInstanceId: string | null;
  /** The orchestration input, already parsed from JSON. */
  input: unknown;
  /** Whole history including this episode's OrchestratorStarted and new events; not mutated. */
  history: DurableHistoryEvent[];
  logHandler?: LogHandler;
}

/**
 * Runs one episode of a real durable-functions orchestrator: replays `history` through the
 * library's Orchestrator with a fresh InvocationContext, exactly as the Functions host invokes an
 * orchestrationTrigger, and returns the OrchestratorState (or the failure it reported).
 */
export async function runOrchestratorEpisode(args: RunOrchestratorArgs): Promise<EpisodeOutcome> {
  const context = new InvocationContext({
    invocationId: randomUUID(),
    functionName: args.name,
    options: { trigger: { type: 'orchestrationTrigger', name: 'context' } },
    logHandler: args.logHandler,
  });
  try {
    const state = await new Orchestrator(args.handler).handle(orchestrationTriggerData(args), context);
    return { kind: 'state', state };
  } catch (error) {
    return { kind: 'failed', failure: orchestratorFailure(args.name, error) };
  }
}

/**
 * The orchestrationTrigger binding data the host would send for this episode (the fields of the
 * library's DurableOrchestrationBindingInfo).
 */
export function orchestrationTriggerData(args: Omit<RunOrchestratorArgs, 'name' | 'handler' | 'logHandler'>) {
  return {
    // The library turns string Timestamps into Dates in place; hand it copies so ours stay intact.
    history: args.history.map((e) => ({ ...e })),
    input: args.input,
    instanceId: args.instanceId,
    isReplaying: false,
    parentInstanceId: args.parentInstanceId ?? undefined,
    upperSchemaVersion: REPLAY_SCHEMA_V4,
    // Durations the host would send (Azure Storage defaults). Timers are fired at their final time,
    // so the library's long-timer splitting never needs an intermediate firing.
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
}

/**
 * Turns the library's OrchestrationFailureError into failure details. Its message is
 * `<something>\n\n$OutOfProcData$:<OrchestratorState JSON>`; the state's `error` holds the
 * orchestrator's error message (the part before the label is not reliable: the library passes a
 * boolean there), and `failureDetails` the details of a task failure the orchestrator rethrew.
 */
function orchestratorFailure(name: string, error: unknown): FailureDetails {
  const raw = error instanceof Error ? error.message : String(error);
  const cut = raw.indexOf(OUT_OF_PROC_DATA_LABEL);
  let message = cut >= 0 ? raw.slice(0, cut) : raw;
  let taskFailure: Partial<FailureDetails> | undefined;
  if (cut >= 0) {
    try {
      const state = JSON.parse(raw.slice(cut + OUT_OF_PROC_DATA_LABEL.length)) as {
        error?: string;
        failureDetails?: Partial<FailureDetails>;
      };
      if (typeof state.error === 'string') message = state.error;
      taskFailure = state.failureDetails;
    } catch {
      // Keep the raw message.
    }
  }
  return {
    ErrorType: taskFailure?.ErrorType ?? 'Error',
    ErrorMessage: `Orchestrator function '${name}' failed: ${message}`,
    StackTrace: taskFailure?.StackTrace ?? (cut >= 0 ? undefined : error instanceof Error ? error.stack : undefined),
    IsNonRetriable: false,
  };
}
