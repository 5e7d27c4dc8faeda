import { newWorld, sampleRegistry } from './fixtures/sampleOrchestrations';
import { startEngine, waitForStatus } from './support/engineHarness';

describe('LocalDurableEngine lifecycle and activity execution', () => {
  it('runs activities with a real InvocationContext, never more at once than the concurrency', async () => {
    const world = newWorld();
    const h = await startEngine(sampleRegistry(world), { concurrency: 3 });
    try {
      const id = await h.engine.startNew('probeFanOut', { input: 12 });
      const done = await h.engine.waitForCompletion(id, 5000);
      expect(done.output).toHaveLength(12);
      expect((done.output as unknown[])[0]).toEqual({
        isInvocationContext: true,
        functionName: 'probe',
        hasInvocationId: true,
      });
      expect(world.maxActive).toBe(3);
    } finally {
      await h.close();
    }
  });

  it('stops gracefully: in-flight activities finish and commit, nothing new starts, start() resumes', async () => {
    const world = newWorld({ slowStepMs: 150 });
    const h = await startEngine(sampleRegistry(world));
    try {
      const id = await h.engine.startNew('crashFlow');
      await waitForStatus(h.engine, id, (s) => (s.history ?? []).some((e) => e.FunctionName === 'slowStep'));
      const stopping = Date.now();
      await h.engine.stop();
      expect(Date.now() - stopping).toBeGreaterThanOrEqual(50); // It waited for the slow step (150 ms).
      // The slow step's result is committed to the inbox, but no episode replayed it and step C never ran.
      expect((await h.store.pendingMessages(id)).map((m) => m.event.EventType)).toEqual([5]);
      expect(world.runs['recordStep:C']).toBeUndefined();
      expect((await h.engine.getStatus(id))!.runtimeStatus).toBe('Running');

      await h.engine.start();
      expect((await h.engine.waitForCompletion(id, 5000)).output).toEqual(['step A', 'slow B', 'step C']);
    } finally {
      await h.close();
    }
  });

  it('accepts work while stopped and runs it on start()', async () => {
    const h = await startEngine(sampleRegistry(newWorld()));
    try {
      await h.engine.stop();
      const id = await h.engine.startNew('helloSequence');
      expect((await h.engine.getStatus(id))!.runtimeStatus).toBe('Pending');
      await h.engine.start();
      expect((await h.engine.waitForCompletion(id, 5000)).runtimeStatus).toBe('Completed');
    } finally {
      await h.close();
    }
  });
});
