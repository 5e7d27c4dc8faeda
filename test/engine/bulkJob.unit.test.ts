import type { OrchestrationContext, Task } from 'durable-functions';
import { getBulkJobHandler } from './fixtures/bulkJob';

/** Steps the orchestrator generator with a fake context (STYLE.md §6): no engine, no replay. */
describe('bulk job orchestrator (generator stepped with fakes)', () => {
  const deps = { batchOrchestrator: 'bulkBatch', provisionActivity: 'provisionUser', batchSize: 2 };

  function fakeContext(users: string[]) {
    const setCustomStatus = jest.fn();
    const callSubOrchestrator = jest.fn(
      (name: string, input: unknown, instanceId?: string) =>
        ({ kind: 'sub', name, input, instanceId }) as unknown as Task,
    );
    const all = jest.fn((tasks: Task[]) => ({ kind: 'all', tasks }) as unknown as Task);
    const context = {
      df: { instanceId: 'job-7', getInput: () => users, setCustomStatus, callSubOrchestrator, Task: { all } },
    };
    return { context: context as unknown as OrchestrationContext, setCustomStatus, callSubOrchestrator, all };
  }

  it('fans out one sub-orchestration per batch and totals the results', () => {
    const fake = fakeContext(['u1', 'u2', 'u3', 'u4', 'u5']);
    const generator = getBulkJobHandler(deps)(fake.context);

    const first = generator.next();
    expect(first.done).toBe(false);
    expect(fake.setCustomStatus).toHaveBeenCalledWith({ batches: 3 });
    expect(fake.callSubOrchestrator.mock.calls).toEqual([
      ['bulkBatch', ['u1', 'u2'], 'job-7:batch:0'],
      ['bulkBatch', ['u3', 'u4'], 'job-7:batch:1'],
      ['bulkBatch', ['u5'], 'job-7:batch:2'],
    ]);
    expect(first.value).toEqual({ kind: 'all', tasks: fake.callSubOrchestrator.mock.results.map((r) => r.value) });

    const last = generator.next([['u1', 'u2'], ['u3', 'u4'], ['u5']]);
    expect(last).toEqual({ done: true, value: { provisioned: 5, batches: 3 } });
  });

  it('lets a failed batch fail the job', () => {
    const fake = fakeContext(['u1']);
    const generator = getBulkJobHandler(deps)(fake.context);
    generator.next();
    expect(() => generator.throw(new Error('batch 0 failed'))).toThrow('batch 0 failed');
  });
});
