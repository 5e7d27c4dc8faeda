import { FunctionHandler, InvocationContext } from '@azure/functions';
import type { ActivityHandler, OrchestrationHandler } from 'durable-functions';

/** What `app.generic` was given, by function name (the library's registrations and ours). */
const mockGeneric = new Map<string, { trigger: unknown; handler: FunctionHandler }>();
jest.mock('@azure/functions', () => ({
  ...jest.requireActual('@azure/functions'),
  app: {
    generic: (name: string, options: { trigger: unknown; handler: FunctionHandler }) => mockGeneric.set(name, options),
  },
}));

/** Which durable-functions modules were evaluated since the last reset of the module registry. */
const mockEvaluated: string[] = [];
for (const id of ['durable-functions', 'durable-functions/lib/src/util/testingUtils', 'durable-functions/lib/src/app'])
  jest.mock(id, () => {
    mockEvaluated.push(id);
    return jest.requireActual(id);
  });

type Lazy = typeof import('./lazyDurableFunctions');
type Library = typeof import('durable-functions');
const load = () => ({
  lazy: require('./lazyDurableFunctions') as Lazy,
  df: () => require('durable-functions') as Library,
});

const registered = (name: string) => {
  const options = mockGeneric.get(name);
  if (!options) throw new Error(`nothing registered as ${name}`);
  return options;
};

const at = new Date('2024-05-01T10:00:00.000Z');
const orchestrationContext = () =>
  new InvocationContext({ functionName: 'o', options: { trigger: { type: 'orchestrationTrigger', name: 'context' } } });
const activityContext = () =>
  new InvocationContext({ functionName: 'a', options: { trigger: { type: 'activityTrigger', name: 'input' } } });

/** Calls an activity, then returns its result with a suffix: two episodes tell a wrong replay apart. */
const orchestrator: OrchestrationHandler = function* (context) {
  const result: unknown = yield context.df.callActivity('double', 21);
  return `${String(result)}!`;
};

/** A history event as the host sends it (Durable Task's numbering: DESIGN.md §3). */
const event = (EventType: number, fields: Record<string, unknown> = {}) => ({
  EventType,
  EventId: -1,
  IsPlayed: false,
  Timestamp: at.toISOString(),
  ...fields,
});
const started = [
  event(12), // OrchestratorStarted
  event(0, { Name: 'o', Input: '"in"', OrchestrationInstance: { InstanceId: 'i1', ExecutionId: 'e1' } }),
];
/** The orchestrationTrigger data the host sends for an episode with this history (replay schema V4). */
const triggerData = (history: object[]) => ({
  history,
  input: 'in',
  instanceId: 'i1',
  isReplaying: false,
  upperSchemaVersion: 3,
  maximumShortTimerDuration: '6.00:00:00',
  longRunningTimerIntervalDuration: '3.00:00:00',
  defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
});
/** Episode 1 (nothing done yet) and episode 2 (the activity completed with 42). */
const episodes = [
  triggerData(started),
  triggerData([
    ...started,
    event(4, { EventId: 0, Name: 'double', Input: '21' }), // TaskScheduled
    event(12),
    event(5, { TaskScheduledId: 0, Result: '42' }), // TaskCompleted
  ]),
];

describe('lazyDurableFunctions: what df.app.orchestration / df.app.activity register, durable-functions loaded on first use', () => {
  beforeEach(() => {
    jest.resetModules();
    mockGeneric.clear();
    mockEvaluated.length = 0;
  });

  it('registers without evaluating durable-functions; the first invocation loads only what it runs', async () => {
    const { lazy } = load();
    lazy.registerOrchestration('ours', orchestrator);
    lazy.registerActivity('oursActivity', async (n: unknown) => Number(n) * 2);
    lazy.durableClientInput();
    expect(mockEvaluated).toEqual([]);

    await registered('ours').handler(episodes[0], orchestrationContext());
    expect(mockEvaluated).toEqual(['durable-functions/lib/src/util/testingUtils']);
    await registered('oursActivity').handler(3, activityContext());
    expect(mockEvaluated).toContain('durable-functions/lib/src/app');
  });

  it('the same trigger and durable client bindings as the library', () => {
    const { lazy, df } = load();
    const handler: ActivityHandler = async () => null;
    df().app.orchestration('libraryOrchestration', orchestrator);
    lazy.registerOrchestration('ourOrchestration', orchestrator);
    df().app.activity('libraryActivity', { handler });
    lazy.registerActivity('ourActivity', handler);
    expect(registered('ourOrchestration').trigger).toEqual(registered('libraryOrchestration').trigger);
    expect(registered('ourActivity').trigger).toEqual(registered('libraryActivity').trigger);
    expect(registered('ourOrchestration').trigger).toEqual(expect.objectContaining({ type: 'orchestrationTrigger' }));
    expect(registered('ourActivity').trigger).toEqual(expect.objectContaining({ type: 'activityTrigger' }));
    expect(lazy.durableClientInput()).toEqual(df().input.durableClient());
  });

  it.each([
    ['the first episode (the activity scheduled)', 0],
    ['a replay (the activity completed: the orchestration finishes)', 1],
  ])('an orchestration episode returns what the library handler returns: %s', async (_label, episode) => {
    const { lazy, df } = load();
    df().app.orchestration('library', orchestrator);
    lazy.registerOrchestration('ours', orchestrator);
    const ours = await registered('ours').handler(episodes[episode], orchestrationContext());
    const library = await registered('library').handler(episodes[episode], orchestrationContext());
    expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(library)));
    expect(ours).toEqual(
      episode === 0
        ? expect.objectContaining({ isDone: false })
        : expect.objectContaining({ isDone: true, output: '42!' }),
    );
  });

  it('an activity returns and throws what the library handler does', async () => {
    const { lazy, df } = load();
    const handler: ActivityHandler = async (n: unknown) => {
      if (Number(n) < 0) throw new Error(`negative input ${String(n)}`);
      return Number(n) * 2;
    };
    df().app.activity('library', { handler });
    lazy.registerActivity('ours', handler);
    await expect(registered('ours').handler(21, activityContext())).resolves.toBe(42);
    await expect(registered('library').handler(21, activityContext())).resolves.toBe(42);
    await expect(registered('ours').handler(-1, activityContext())).rejects.toThrow('negative input -1');
    await expect(registered('library').handler(-1, activityContext())).rejects.toThrow('negative input -1');
  });

  it('getDurableClient is df.getClient: it finds the durable client input of the context', () => {
    const { lazy, df } = load();
    const binding = lazy.durableClientInput();
    const context = new InvocationContext({
      functionName: 'f',
      options: { trigger: { type: 'httpTrigger', name: 'req' }, extraInputs: [binding] },
    });
    const client = {
      taskHubName: 'hub',
      creationUrls: {},
      managementUrls: {},
      baseUrl: 'http://127.0.0.1:1/runtime/webhooks/durabletask',
      requiredQueryStringParameters: '',
    };
    context.extraInputs.set(binding, client);
    expect(lazy.getDurableClient(context).taskHubName).toBe(df().getClient(context).taskHubName);
    expect(lazy.getDurableClient(context).taskHubName).toBe('hub');
  });
});
