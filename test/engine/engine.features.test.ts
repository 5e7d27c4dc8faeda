import { Harness, startEngine, waitForStatus } from './support/engineHarness';
import { SampleWorld, newWorld, sampleRegistry } from './fixtures/sampleOrchestrations';

describe('LocalDurableEngine replays real durable-functions orchestrators', () => {
  let world: SampleWorld;
  let h: Harness;

  beforeEach(async () => {
    world = newWorld();
    h = await startEngine(sampleRegistry(world));
  });
  afterEach(async () => {
    await h.close();
  });

  it('runs a sequence of activities and records the history', async () => {
    const id = await h.engine.startNew('helloSequence', { input: { prefix: 'Hello' } });
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual(['Hello Tokyo!', 'Hello Seattle!', 'Hello London!']);
    expect(done.input).toEqual({ prefix: 'Hello' });
    expect(world.runs.sayHello).toBe(3);

    const withHistory = await h.engine.getStatus(id, { showHistory: true, showHistoryOutput: true });
    const types = withHistory!.history!.map((e) => e.EventType);
    expect(types).toEqual([
      'ExecutionStarted',
      'TaskScheduled',
      'TaskCompleted',
      'TaskScheduled',
      'TaskCompleted',
      'TaskScheduled',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(withHistory!.history![2]).toMatchObject({ FunctionName: 'sayHello', Result: 'Hello Tokyo!' });
  });

  it('retries a failing activity with backoff until it succeeds (callActivityWithRetry)', async () => {
    const id = await h.engine.startNew('retryFlow');
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(done.output).toEqual({ value: 'k1 ok after 3 attempts', after: 'after retry!' });
    expect(world.runs['flaky:k1']).toBe(3);
    const history = (await h.engine.getStatus(id, { showHistory: true }))!.history!;
    // Two failures, each followed by a retry timer; backoff 20 ms then 40 ms.
    expect(history.filter((e) => e.EventType === 'TaskFailed')).toHaveLength(2);
    const timers = history.filter((e) => e.EventType === 'TimerCreated');
    expect(timers).toHaveLength(2);
    const delays = timers.map((t) => Date.parse(t.FireAt as string) - Date.parse(t.Timestamp as string));
    expect(delays).toEqual([20, 40]);
  });

  it('surfaces the last error once retries are exhausted, and the orchestrator can catch it', async () => {
    const id = await h.engine.startNew('retryExhausted');
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(world.runs.alwaysFails).toBe(2);
    expect(done.output).toEqual({ caught: 'TypeError: always fails', next: 'after failure!' });
  });

  it('fans out 50 activities and fans in their results (Task.all)', async () => {
    const id = await h.engine.startNew('fanOutFanIn', { input: 50 });
    const done = await h.engine.waitForCompletion(id, 10000);
    expect(done.output).toBe(2 * ((49 * 50) / 2));
    expect(world.runs.double).toBe(50);
  });

  it('keeps sequence numbers straight when retries, timers and results interleave', async () => {
    const id = await h.engine.startNew('mixedFanOut');
    const done = await h.engine.waitForCompletion(id, 10000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toEqual({
      results: [...Array.from({ length: 6 }, (_, i) => `m${i} ok after 3 attempts`), 0, 2, 4, 6, 8, 10],
      tail: 'tail!',
    });
    for (let i = 0; i < 6; i++) expect(world.runs[`flaky:m${i}`]).toBe(3);
  });

  it('schedules a task yielded twice only once, and leaves a losing timer behind harmlessly', async () => {
    const id = await h.engine.startNew('reyield');
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(done.output).toEqual({ alone: 2, both: [2, 4], raced: 6 });
    expect(world.runs.double).toBe(3);
    expect(await h.store.pendingWork()).toEqual([]);
  });

  it('runs sub-orchestrations, named and unnamed, and retries a failing one', async () => {
    const id = await h.engine.startNew('parentFlow', { instanceId: 'parent-1' });
    const done = await h.engine.waitForCompletion(id, 10000);
    expect(done.runtimeStatus).toBe('Completed');
    expect(done.output).toMatchObject({
      named: ['Hi Tokyo!', 'Hi Seattle!', 'Hi London!'],
      unnamed: ['Yo Tokyo!', 'Yo Seattle!', 'Yo London!'],
    });
    expect((done.output as { childError: string }).childError).toContain('child failed on purpose with boom');
    const named = await h.engine.getStatus('parent-1-child');
    expect(named).toMatchObject({ runtimeStatus: 'Completed', name: 'helloSequence' });
    // Unnamed children are "<parent>:<sequence number>", as Durable Functions names them.
    expect(await h.engine.getStatus('parent-1:1')).toMatchObject({
      runtimeStatus: 'Completed',
      input: { prefix: 'Yo' },
    });
    // The failing child ran twice (two attempts) under the same id and ended Failed.
    expect(world.runs.sayHello).toBe(3 + 3 + 2);
  });

  it('fires a durable timer at its due time', async () => {
    const id = await h.engine.startNew('timerFlow', { input: 150 });
    const started = Date.now();
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const { firedAt, due } = done.output as { firedAt: string; due: string };
    expect(Date.parse(firedAt)).toBeGreaterThanOrEqual(Date.parse(due));
  });

  it('lets an external event beat a timeout timer, cancelling the timer', async () => {
    const approved = await h.engine.startNew('approvalFlow', { input: 60_000 });
    await waitForStatus(h.engine, approved, (s) => s.runtimeStatus === 'Running');
    await h.engine.raiseEvent(approved, 'approve', { by: 'erin' });
    expect((await h.engine.waitForCompletion(approved, 5000)).output).toEqual({ approved: { by: 'erin' } });
    // The cancelled timer left no pending work behind.
    expect((await h.store.pendingWork()).filter((w) => w.instanceId === approved)).toEqual([]);

    const timedOut = await h.engine.startNew('approvalFlow', { input: 50 });
    expect((await h.engine.waitForCompletion(timedOut, 5000)).output).toEqual({ approved: false, timedOut: true });
  });

  it('buffers external events raised before the orchestrator waits for them', async () => {
    // Raised before the first episode ran, and in the opposite order of the waits.
    const id = await h.engine.startNew('twoEvents');
    await h.engine.raiseEvent(id, 'second', 2);
    await h.engine.raiseEvent(id, 'first', { one: 1 });
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(done.output).toEqual([{ one: 1 }, 2]);
  });

  it('publishes custom status', async () => {
    const id = await h.engine.startNew('customStatusFlow');
    const waiting = await waitForStatus(h.engine, id, (s) => s.runtimeStatus === 'Running');
    expect(waiting.customStatus).toEqual({ stage: 'waiting' });
    await h.engine.raiseEvent(id, 'go', 'now');
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(done.customStatus).toEqual({ stage: 'done', go: 'now' });
  });

  it('continues as new with a fresh history and new input', async () => {
    const id = await h.engine.startNew('counter', { input: 0 });
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(done.output).toEqual({ n: 3, doubled: 6 });
    expect(done.input).toBe(3);
    expect(world.runs.double).toBe(4);
    const history = (await h.engine.getStatus(id, { showHistory: true }))!.history!;
    // Only the last execution's history remains.
    expect(history.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskScheduled',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
  });

  it('terminates a running instance and refuses events afterwards', async () => {
    const id = await h.engine.startNew('waitForever');
    await waitForStatus(h.engine, id, (s) => s.runtimeStatus === 'Running');
    await h.engine.terminate(id, 'no longer needed');
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(done).toMatchObject({ runtimeStatus: 'Terminated', output: 'no longer needed' });
    await expect(h.engine.raiseEvent(id, 'never', 1)).rejects.toMatchObject({ kind: 'gone' });
    await expect(h.engine.terminate('no-such-instance', 'x')).rejects.toMatchObject({ kind: 'notFound' });
  });

  it('purges finished instances only', async () => {
    const running = await h.engine.startNew('waitForever');
    await expect(h.engine.purge(running)).rejects.toMatchObject({ kind: 'conflict' });
    const id = await h.engine.startNew('helloSequence');
    await h.engine.waitForCompletion(id, 5000);
    expect(await h.engine.purge(id)).toEqual({ instancesDeleted: 1 });
    expect(await h.engine.getStatus(id)).toBeUndefined();
    expect(await h.store.loadHistory(id)).toEqual([]);
    expect(await h.engine.purge(id)).toEqual({ instancesDeleted: 0 });
  });

  it('lists instances by status and restarts a finished instance id', async () => {
    await h.engine.startNew('helloSequence', { instanceId: 'again' });
    await h.engine.waitForCompletion('again', 5000);
    await h.engine.startNew('waitForever', { instanceId: 'forever' });
    await waitForStatus(h.engine, 'forever', (s) => s.runtimeStatus === 'Running');
    expect((await h.engine.listInstances({ runtimeStatus: ['Running'] })).map((s) => s.instanceId)).toEqual([
      'forever',
    ]);
    await expect(h.engine.startNew('helloSequence', { instanceId: 'forever' })).rejects.toMatchObject({
      kind: 'conflict',
    });
    await expect(h.engine.startNew('helloSequence', { instanceId: 'a/b' })).rejects.toMatchObject({
      kind: 'badRequest',
    });
    await h.engine.startNew('helloSequence', { instanceId: 'again', input: { prefix: 'Again' } });
    expect((await h.engine.waitForCompletion('again', 5000)).output).toEqual([
      'Again Tokyo!',
      'Again Seattle!',
      'Again London!',
    ]);
  });

  it('fails an instance whose replay is non-deterministic, naming both sides', async () => {
    const id = await h.engine.startNew('nondeterministic');
    await waitForStatus(h.engine, id, (s) => s.customStatus === 'waiting');
    world.swapActivity = true; // The "deployed code" changed under a running instance.
    await h.engine.raiseEvent(id, 'go');
    const done = await h.engine.waitForCompletion(id, 5000);
    expect(done.runtimeStatus).toBe('Failed');
    expect(done.output).toBe(
      "Orchestrator function 'nondeterministic' failed: Non-deterministic replay of orchestrator 'nondeterministic': scheduled action #0 is " +
        'CallActivity "double", but history recorded TaskScheduled "sayHello" (EventId 0) at that position. ' +
        'Orchestrator code must be deterministic: same calls in the same order on every replay (see STYLE.md §5).',
    );
  });
});
