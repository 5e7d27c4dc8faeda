import { getBulkBatchHandler, getBulkJobHandler } from './fixtures/bulkJob';
import { startEngine } from './support/engineHarness';

describe('scale: a bulk job in batches of sub-orchestrations', () => {
  it('provisions 10,000 users in batches of 100 with no history larger than a batch', async () => {
    const deps = { batchOrchestrator: 'bulkBatch', provisionActivity: 'provisionUser', batchSize: 100 };
    const provisioned = new Set<string>();
    const h = await startEngine(
      {
        orchestrations: { bulkJob: getBulkJobHandler(deps), bulkBatch: getBulkBatchHandler(deps) },
        activities: {
          provisionUser: async (user: unknown) => {
            provisioned.add(user as string);
            return user;
          },
        },
      },
      { concurrency: 16 },
    );
    try {
      const users = Array.from({ length: 10000 }, (_, i) => `user${i}@contoso.com`);
      const id = await h.engine.startNew('bulkJob', { instanceId: 'job', input: users });
      const done = await h.engine.waitForCompletion(id, 30_000);
      expect(done.output).toEqual({ provisioned: 10000, batches: 100 });
      expect(provisioned.size).toBe(10000);
      const largest = h.db
        .prepare('SELECT instance_id, COUNT(*) AS n FROM durable_history GROUP BY instance_id ORDER BY n DESC LIMIT 1')
        .get() as { instance_id: string; n: number };
      // 100 × (TaskScheduled + TaskCompleted) + episode markers: bounded by the batch, not the job.
      expect(largest.n).toBeLessThan(400);
      // Nothing stays in memory per finished instance or work item (issue 10).
      await new Promise((resolve) => setImmediate(resolve));
      expect(Object.entries(h.engine.memoryFootprint()).filter(([, n]) => n !== 0)).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
