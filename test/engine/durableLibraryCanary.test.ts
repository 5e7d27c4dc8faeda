import { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionType } from '../../local/durable/actionPlan';
import type { DurableRuntimeStatus } from '../../local/durable/durable.port';
import { EventType, RetryPolicy, executionStarted, orchestratorStarted } from '../../local/durable/historyEvents';
import {
  ORCHESTRATOR_MODULE,
  OUT_OF_PROC_DATA_LABEL,
  OrchestratorState,
  REPLAY_SCHEMA_V4,
  orchestrationTriggerData,
} from '../../local/durable/orchestratorRunner';

/*
 * The local engine drives durable-functions through internals the library does not promise to keep
 * (its private Orchestrator class, the numbers of its action and history event enums, the label of
 * its failure messages, the fields of its action objects). The version is pinned in package.json;
 * this canary fails, naming what moved, when a bump changes any of them: re-read local/durable/
 * against the new library before changing the expectations here.
 */

const installedVersion = (require('durable-functions/package.json') as { version: string }).version;
const library = `durable-functions ${installedVersion}`;

/** Loads a library-internal module (`lib/src/<path>` or a full module id), or fails naming what the engine depends on. */
function internal<T>(path: string, usedBy: string): T {
  const id = path.startsWith('durable-functions/') ? path : `durable-functions/lib/src/${path}`;
  try {
    return require(id) as T;
  } catch (error) {
    throw new Error(`${library} no longer has ${id}, which ${usedBy} relies on (${(error as Error).message})`, {
      cause: error,
    });
  }
}

type OrchestratorClass = new (fn: df.OrchestrationHandler) => {
  handle(trigger: unknown, context: InvocationContext): Promise<OrchestratorState>;
};

type NumericEnum = Record<string, string | number>;

/** name → number of a compiled TypeScript numeric enum (dropping its reverse mapping). */
const numericMembers = (e: NumericEnum): Record<string, number> =>
  Object.fromEntries(Object.entries(e).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));

/** Every difference between the engine's copy of an enum and the library's, as one readable line each. */
function enumDifferences(
  label: string,
  engine: Record<string, number>,
  lib: Record<string, number>,
  file: string,
  knowinglyUnused: string[] = [],
): string[] {
  const differences: string[] = [];
  for (const [name, value] of Object.entries(engine)) {
    if (!(name in lib))
      differences.push(`${label}.${name}: the engine (${file}) uses ${value}, ${library} has no such member`);
    else if (lib[name] !== value)
      differences.push(`${label}.${name}: the engine (${file}) uses ${value}, ${library} says ${lib[name]}`);
  }
  for (const [name, value] of Object.entries(lib)) {
    if (!(name in engine) && !knowinglyUnused.includes(name)) {
      differences.push(`${label}.${name} = ${value} exists in ${library}, but the engine (${file}) does not list it`);
    }
  }
  return differences;
}

/** Own enumerable keys the engine reads on an object the library builds, that the object lacks. */
const missingFields = (what: string, object: object, fields: string[]): string[] =>
  fields
    .filter((field) => !Object.prototype.hasOwnProperty.call(object, field))
    .map((field) => `${what} has no field '${field}' in ${library}`);

describe(`the durable-functions internals the local engine copies (installed: ${installedVersion})`, () => {
  it('is pinned exactly in package.json to the installed version', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(`durable-functions ${pkg.dependencies['durable-functions']}`).toBe(library);
  });

  it('still has the private Orchestrator class with the constructor and handle(trigger, context) the engine calls', () => {
    const { Orchestrator } = internal<{ Orchestrator?: unknown }>(
      ORCHESTRATOR_MODULE,
      'local/durable/orchestratorRunner.ts',
    );
    expect(typeof Orchestrator).toBe('function');
    const orchestratorClass = Orchestrator as { length: number; prototype: { handle?: unknown } };
    const shape = {
      constructorParameters: orchestratorClass.length,
      handle: typeof orchestratorClass.prototype.handle,
      handleParameters:
        typeof orchestratorClass.prototype.handle === 'function'
          ? (orchestratorClass.prototype.handle as (...a: unknown[]) => unknown).length
          : -1,
    };
    expect(shape).toEqual({ constructorParameters: 1, handle: 'function', handleParameters: 2 });
  });

  it('reads exactly the orchestrationTrigger fields the engine sends', () => {
    const { DurableOrchestrationBindingInfo } = internal<{ DurableOrchestrationBindingInfo: new () => object }>(
      'orchestrations/DurableOrchestrationBindingInfo',
      'local/durable/orchestratorRunner.ts (orchestrationTriggerData)',
    );
    const libraryFields = Object.keys(new DurableOrchestrationBindingInfo());
    const engineFields = Object.keys(
      orchestrationTriggerData({ instanceId: 'i', parentInstanceId: null, input: null, history: [] }),
    );
    expect([
      ...libraryFields
        .filter((f) => !engineFields.includes(f))
        .map((f) => `${library} reads trigger field '${f}', which the engine does not send`),
      ...engineFields
        .filter((f) => !libraryFields.includes(f))
        .map((f) => `the engine sends trigger field '${f}', which ${library} no longer reads`),
    ]).toEqual([]);
  });

  it('numbers actions as the engine does (local/durable/actionPlan.ts ActionType)', () => {
    const lib = internal<{ ActionType: NumericEnum }>('actions/ActionType', 'local/durable/actionPlan.ts');
    expect(
      enumDifferences('ActionType', ActionType, numericMembers(lib.ActionType), 'local/durable/actionPlan.ts'),
    ).toEqual([]);
  });

  it('numbers history events as the engine does (local/durable/historyEvents.ts EventType)', () => {
    const lib = internal<{ HistoryEventType: NumericEnum }>(
      'history/HistoryEventType',
      'local/durable/historyEvents.ts',
    );
    // Event types the engine never writes and the library only reads from other backends' histories.
    const knowinglyUnused = ['GenericEvent', 'HistoryState', 'ExecutionSuspended', 'ExecutionResumed'];
    expect(
      enumDifferences(
        'HistoryEventType',
        EventType,
        numericMembers(lib.HistoryEventType),
        'local/durable/historyEvents.ts',
        knowinglyUnused,
      ),
    ).toEqual([]);
  });

  it('numbers replay schema V4 as the engine does (REPLAY_SCHEMA_V4)', () => {
    const lib = internal<{ ReplaySchema: NumericEnum }>(
      'orchestrations/ReplaySchema',
      'local/durable/orchestratorRunner.ts',
    );
    expect({ 'ReplaySchema.V4': numericMembers(lib.ReplaySchema).V4 }).toEqual({ 'ReplaySchema.V4': REPLAY_SCHEMA_V4 });
  });

  it('spells every runtime status the engine stores as OrchestrationRuntimeStatus does', () => {
    const lib = internal<{ OrchestrationRuntimeStatus: Record<string, string> }>(
      'orchestrations/OrchestrationRuntimeStatus',
      'local/durable/durable.port.ts',
    );
    // A Record over the union, so a status added to DurableRuntimeStatus must be listed here to compile.
    const engineStatuses: Record<DurableRuntimeStatus, true> = {
      Pending: true,
      Running: true,
      Completed: true,
      Failed: true,
      Terminated: true,
      ContinuedAsNew: true,
    };
    const known = Object.values(lib.OrchestrationRuntimeStatus);
    expect(
      Object.keys(engineStatuses)
        .filter((s) => !known.includes(s))
        .map((s) => `status '${s}' is not an OrchestrationRuntimeStatus of ${library}`),
    ).toEqual([]);
  });

  it('separates the failure message from the state with the label the engine cuts on', () => {
    const { OrchestrationFailureError } = internal<{
      OrchestrationFailureError: new (error: unknown, state: unknown) => Error;
    }>('error/OrchestrationFailureError', 'local/durable/orchestratorRunner.ts (orchestratorFailure)');
    expect(new OrchestrationFailureError(new Error('boom'), { error: 'boom' }).message).toBe(
      `boom${OUT_OF_PROC_DATA_LABEL}{"error":"boom"}`,
    );
  });

  it('builds action objects with the fields flattenActions reads, and still JSON-encodes string inputs', () => {
    const load = <T>(name: string) =>
      internal<Record<string, T>>(`actions/${name}`, 'local/durable/actionPlan.ts (flattenActions)')[name];
    type Ctor = new (...args: unknown[]) => { actionType: number; input?: unknown };
    const retry = new df.RetryOptions(1, 2);
    const built: Array<[string, { actionType: number; input?: unknown }, number, string[]]> = [
      [
        'CallActivityAction',
        new (load<Ctor>('CallActivityAction'))('a', 'text'),
        ActionType.CallActivity,
        ['functionName', 'input'],
      ],
      [
        'CallActivityWithRetryAction',
        new (load<Ctor>('CallActivityWithRetryAction'))('a', retry, 'text'),
        ActionType.CallActivityWithRetry,
        ['functionName', 'input', 'retryOptions'],
      ],
      [
        'CallSubOrchestratorAction',
        new (load<Ctor>('CallSubOrchestratorAction'))('o', 'id', 1),
        ActionType.CallSubOrchestrator,
        ['functionName', 'input', 'instanceId'],
      ],
      [
        'CallSubOrchestratorWithRetryAction',
        new (load<Ctor>('CallSubOrchestratorWithRetryAction'))('o', retry, 1, 'id'),
        ActionType.CallSubOrchestratorWithRetry,
        ['functionName', 'input', 'instanceId', 'retryOptions'],
      ],
      [
        'CreateTimerAction',
        new (load<Ctor>('CreateTimerAction'))(new Date(0), true),
        ActionType.CreateTimer,
        ['fireAt', 'isCanceled'],
      ],
      ['ContinueAsNewAction', new (load<Ctor>('ContinueAsNewAction'))('text'), ActionType.ContinueAsNew, ['input']],
      ['WhenAllAction', new (load<Ctor>('WhenAllAction'))([]), ActionType.WhenAll, ['compoundActions']],
      ['WhenAnyAction', new (load<Ctor>('WhenAnyAction'))([]), ActionType.WhenAny, ['compoundActions']],
    ];
    const differences = built.flatMap(([name, action, type, fields]) => [
      ...(action.actionType === type
        ? []
        : [`${name}.actionType is ${action.actionType} in ${library}, the engine expects ${type}`]),
      ...missingFields(name, action, fields),
    ]);
    // unwrapProcessedInput undoes Utils.processInput for activities and continueAsNew.
    for (const [name, action] of built.filter(([n]) =>
      ['CallActivityAction', 'CallActivityWithRetryAction', 'ContinueAsNewAction'].includes(n),
    )) {
      if (action.input !== '"text"')
        differences.push(
          `${name} no longer JSON-encodes a string input in ${library} (got ${JSON.stringify(action.input)})`,
        );
    }
    expect(differences).toEqual([]);
  });

  it('still has every RetryOptions field the engine honours', () => {
    // Compile-time half: tsc fails here, naming the field, if RetryOptions loses one RetryPolicy reads.
    type Missing = Exclude<keyof RetryPolicy, keyof df.RetryOptions>;
    const noneMissing: [Missing] extends [never] ? true : Missing = true;
    expect(noneMissing).toBe(true);
    expect(
      missingFields('RetryOptions', new df.RetryOptions(1, 2), [
        'firstRetryIntervalInMilliseconds',
        'maxNumberOfAttempts',
      ]),
    ).toEqual([]);
  });

  it('returns an OrchestratorState of schema V4 with cumulative live actions when driven as the engine drives it', async () => {
    const { Orchestrator } = internal<{ Orchestrator: OrchestratorClass }>(
      ORCHESTRATOR_MODULE,
      'local/durable/orchestratorRunner.ts',
    );
    const handler: df.OrchestrationHandler = function* (context) {
      yield context.df.callActivity('a', 'text');
    };
    const at = new Date('2024-05-01T10:00:00.000Z');
    const trigger = orchestrationTriggerData({
      instanceId: 'canary',
      parentInstanceId: null,
      input: null,
      history: [orchestratorStarted(at), executionStarted(at, 'canary', undefined, 'canary', 'e1')],
    });
    const context = new InvocationContext({
      functionName: 'canary',
      options: { trigger: { type: 'orchestrationTrigger', name: 'context' } },
    });
    const state = await new Orchestrator(handler).handle(trigger, context);
    expect({ isDone: state.isDone, schemaVersion: state.schemaVersion, actions: state.actions }).toEqual({
      isDone: false,
      schemaVersion: REPLAY_SCHEMA_V4,
      actions: [[expect.objectContaining({ actionType: ActionType.CallActivity, functionName: 'a', input: '"text"' })]],
    });
  });
});
