import { newWorld, sampleRegistry } from './fixtures/sampleOrchestrations';
import { startEngine, waitForStatus } from './support/engineHarness';

describe('LocalDurableEngine with an injected clock', () => {
  it('fires a 7-day timer when the clock reaches it (durable-functions long-timer path included)', async () => {
    let now = Date.parse('2024-05-01T10:00:00.000Z');
    const h = await startEngine(sampleRegistry(newWorld()), { clock: { now: () => new Date(now) } });
    try {
      const sevenDays = 7 * 24 * 3600 * 1000;
      const id = await h.engine.startNew('timerFlow', { input: sevenDays });
      const waiting = await waitForStatus(h.engine, id, (s) =>
        (s.history ?? []).some((e) => e.EventType === 'TimerCreated'),
      );
      expect(waiting.createdTime).toBe('2024-05-01T10:00:00.000Z');
      expect(waiting.history!.find((e) => e.EventType === 'TimerCreated')!.FireAt).toBe('2024-05-08T10:00:00.000Z');

      now += sevenDays + 1000;
      h.engine.wakeTimers();
      const done = await h.engine.waitForCompletion(id, 5000);
      expect(done.output).toEqual({ firedAt: '2024-05-08T10:00:01.000Z', due: '2024-05-08T10:00:00.000Z' });
      expect(done.lastUpdatedTime).toBe('2024-05-08T10:00:01.000Z');
    } finally {
      await h.close();
    }
  });
});
