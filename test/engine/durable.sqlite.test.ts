import Database from 'better-sqlite3';
import { SqliteDurableStore } from '../../local/durable/durable.sqlite';
import { DurableEpisodeCommit, DurableStoreConflictError } from '../../local/durable/durable.port';
import { event, instance, T } from './support/durableRows';

describe('SqliteDurableStore', () => {
  let db: Database.Database;
  let store: SqliteDurableStore;
  beforeEach(async () => {
    db = new Database(':memory:');
    store = new SqliteDurableStore(db);
    await store.createInstance({
      instance: instance('i1'),
      start: { instanceId: 'i1', executionId: 'e1', event: event(0) },
    });
  });
  afterEach(() => db.close());

  const commit = (overrides: Partial<DurableEpisodeCommit>): DurableEpisodeCommit => ({
    instanceId: 'i1',
    expectedExecutionId: 'e1',
    consumedMessageIds: [],
    resetHistory: false,
    appendHistory: [],
    instance: {
      status: 'Running',
      executionId: 'e1',
      input: '1',
      output: null,
      customStatus: null,
      lastUpdatedTime: T,
    },
    newWork: [],
    cancelWork: [],
    newMessages: [],
    createInstances: [],
    ...overrides,
  });

  it('applies an episode atomically: history, inbox, work and status together', async () => {
    const [start] = await store.pendingMessages('i1');
    const { newWork } = await store.commitEpisode(
      commit({
        consumedMessageIds: [start.id],
        appendHistory: [event(12), start.event, event(4, 0)],
        newWork: [
          { instanceId: 'i1', executionId: 'e1', kind: 'activity', taskId: 0, name: 'a', input: '"x"', fireAt: null },
        ],
      }),
    );
    expect(newWork[0].id).toEqual(expect.any(Number));
    expect((await store.loadHistory('i1')).map((e) => e.EventType)).toEqual([12, 0, 4]);
    expect(await store.pendingMessages('i1')).toEqual([]);
    expect((await store.getInstance('i1'))!.status).toBe('Running');
  });

  it('writes nothing when part of the episode no longer holds (message already consumed)', async () => {
    const [start] = await store.pendingMessages('i1');
    const conflicting = commit({
      consumedMessageIds: [start.id, 9999],
      appendHistory: [event(12)],
      newWork: [{ instanceId: 'i1', executionId: 'e1', kind: 'timer', taskId: 0, name: null, input: null, fireAt: T }],
    });
    await expect(store.commitEpisode(conflicting)).rejects.toBeInstanceOf(DurableStoreConflictError);
    expect(await store.loadHistory('i1')).toEqual([]);
    expect(await store.pendingMessages('i1')).toHaveLength(1);
    expect(await store.pendingWork()).toEqual([]);
    expect((await store.getInstance('i1'))!.status).toBe('Pending');
  });

  it('refuses an episode of an execution that was replaced', async () => {
    await expect(store.commitEpisode(commit({ expectedExecutionId: 'old' }))).rejects.toThrow(
      /no longer runs execution old/,
    );
  });

  it('completes work exactly once, delivering its result in the same transaction', async () => {
    const { newWork } = await store.commitEpisode(
      commit({
        newWork: [
          { instanceId: 'i1', executionId: 'e1', kind: 'activity', taskId: 0, name: 'a', input: null, fireAt: null },
        ],
      }),
    );
    const result = { instanceId: 'i1', executionId: 'e1', event: { ...event(5), TaskScheduledId: 0, Result: '1' } };
    expect(await store.completeWork(newWork[0].id, result)).toBe(true);
    expect(await store.completeWork(newWork[0].id, result)).toBe(false);
    expect((await store.pendingMessages('i1')).filter((m) => m.event.EventType === 5)).toHaveLength(1);
  });

  it('refuses to create over a running instance, replaces a finished one', async () => {
    await expect(
      store.createInstance({
        instance: instance('i1'),
        start: { instanceId: 'i1', executionId: 'e2', event: event(0) },
      }),
    ).rejects.toThrow(
      "An instance with id 'i1' already exists with status Pending; expected none or a terminal one (Completed, Failed, Terminated).",
    );
    await store.commitEpisode(
      commit({ appendHistory: [event(12)], instance: { ...commit({}).instance, status: 'Completed' } }),
    );
    await store.createInstance({
      instance: instance('i1', { executionId: 'e2' }),
      start: { instanceId: 'i1', executionId: 'e2', event: event(0) },
    });
    expect(await store.loadHistory('i1')).toEqual([]);
    expect((await store.getInstance('i1'))!.executionId).toBe('e2');
  });

  it('lists and purges by filter', async () => {
    await store.createInstance({
      instance: instance('job:1', { createdTime: '2024-05-02T00:00:00.000Z' }),
      start: { instanceId: 'job:1', executionId: 'x', event: event(0) },
    });
    expect((await store.listInstances({ instanceIdPrefix: 'job:' })).map((i) => i.instanceId)).toEqual(['job:1']);
    expect(
      (await store.listInstances({ createdTimeFrom: '2024-05-01T12:00:00.000Z' })).map((i) => i.instanceId),
    ).toEqual(['job:1']);
    expect(await store.listActiveInstanceIds()).toEqual(['i1', 'job:1']);
    expect(await store.purgeInstances({ runtimeStatus: ['Pending'], instanceIdPrefix: 'job' })).toBe(1);
    expect(await store.instancesWithMessages()).toEqual(['i1']);
  });
});
