import Database from 'better-sqlite3';
import { SqliteDurableStore } from '../../local/durable/durable.sqlite';
import { DurableEpisodeCommit, DurableStoreConflictError } from '../../local/durable/durable.port';
import { event, instance, T } from './support/durableRows';

const start = (id: string) => ({
  instance: instance(id),
  start: { instanceId: id, executionId: 'e1', event: event(0) },
});

const episode = (overrides: Partial<DurableEpisodeCommit>): DurableEpisodeCommit => ({
  instanceId: 'a',
  expectedExecutionId: 'e1',
  consumedMessageIds: [],
  resetHistory: false,
  appendHistory: [],
  instance: { status: 'Running', executionId: 'e1', input: '1', output: null, customStatus: null, lastUpdatedTime: T },
  newWork: [],
  cancelWork: [],
  newMessages: [],
  createInstances: [],
  ...overrides,
});

/** The durable store's group commit: the writes of one event-loop turn share one SQLite transaction. */
describe('SqliteDurableStore group commit', () => {
  let db: Database.Database;
  let store: SqliteDurableStore;
  beforeEach(async () => {
    db = new Database(':memory:');
    store = new SqliteDurableStore(db);
    await store.createInstance(start('a'));
  });
  afterEach(() => db.close());

  it('commits the writes asked for in one turn in one transaction', async () => {
    const transactions = jest.spyOn(db, 'transaction');
    const [startMessage] = await store.pendingMessages('a');
    await Promise.all([
      store.commitEpisode(episode({ consumedMessageIds: [startMessage.id], appendHistory: [event(12), event(0)] })),
      store.enqueueMessage({ instanceId: 'a', executionId: null, event: event(15) }),
      store.createInstance(start('b')),
      store.createInstance(start('c')),
    ]);
    expect(transactions).toHaveBeenCalledTimes(1);
    expect((await store.loadHistory('a')).map((e) => e.EventType)).toEqual([12, 0]);
    expect((await store.pendingMessages('a')).map((m) => m.event.EventType)).toEqual([15]);
    expect((await store.listActiveInstanceIds()).sort()).toEqual(['a', 'b', 'c']);
  });

  it('rolls back and rejects only the write that lost its race; the others of its turn commit', async () => {
    const [startMessage] = await store.pendingMessages('a');
    const results = await Promise.allSettled([
      store.createInstance(start('b')),
      // Consumes the start message, then finds the instance on another execution: must leave no trace.
      store.commitEpisode(
        episode({ consumedMessageIds: [startMessage.id], expectedExecutionId: 'e-old', appendHistory: [event(12)] }),
      ),
      store.enqueueMessage({ instanceId: 'a', executionId: null, event: event(15) }),
      // A second live instance with the same id conflicts too.
      store.createInstance(start('b')),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(DurableStoreConflictError);
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(DurableStoreConflictError);
    expect(await store.loadHistory('a')).toEqual([]);
    expect((await store.pendingMessages('a')).map((m) => [m.id, m.event.EventType])).toEqual([
      [startMessage.id, 0],
      [expect.any(Number), 15],
    ]);
    expect((await store.pendingMessages('b')).length).toBe(1);
  });

  it('settles a write only once it is committed: nothing reads as done before', async () => {
    const [startMessage] = await store.pendingMessages('a');
    let settled = false;
    const pending = store
      .commitEpisode(episode({ consumedMessageIds: [startMessage.id], appendHistory: [event(12)] }))
      .then(() => (settled = true));
    // Same turn: not yet written, not yet settled.
    expect(settled).toBe(false);
    expect(db.prepare('SELECT COUNT(*) AS n FROM durable_history').get()).toEqual({ n: 0 });
    await pending;
    expect(db.prepare('SELECT COUNT(*) AS n FROM durable_history').get()).toEqual({ n: 1 });
  });

  it('fails every write of a turn when the transaction cannot run, writing nothing', async () => {
    const writes = [
      store.createInstance(start('b')),
      store.enqueueMessage({ instanceId: 'a', executionId: null, event: event(15) }),
    ];
    db.close();
    const results = await Promise.allSettled(writes);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    db = new Database(':memory:'); // for afterEach
  });
});
