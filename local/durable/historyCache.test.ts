import { DurableEpisodeCommit, DurableHistoryEvent, DurableRuntimeStatus } from './durable.port';
import { HistoryCache } from './historyCache';

const event = (eventId: number, extra: Record<string, unknown> = {}): DurableHistoryEvent => ({
  EventType: 4,
  EventId: eventId,
  Timestamp: '2026-01-01T00:00:00.000Z',
  IsPlayed: false,
  ...extra,
});

const commit = (
  status: DurableRuntimeStatus,
  appendHistory: DurableHistoryEvent[],
  options: { resetHistory?: boolean; executionId?: string } = {},
): DurableEpisodeCommit => ({
  instanceId: 'i1',
  expectedExecutionId: 'e1',
  consumedMessageIds: [],
  resetHistory: options.resetHistory ?? false,
  appendHistory,
  instance: {
    status,
    executionId: options.executionId ?? 'e1',
    input: null,
    output: null,
    customStatus: null,
    lastUpdatedTime: '2026-01-01T00:00:00.000Z',
  },
  newWork: [],
  cancelWork: [],
  newMessages: [],
  createInstances: [],
});

describe('HistoryCache', () => {
  it('appends a committed episode to the history it started from', () => {
    const cache = new HistoryCache(10);
    cache.set('i1', 'e1', [event(0)]);
    const history = cache.get('i1', 'e1')!;
    cache.committed(commit('Running', [event(1)]), history);
    expect(cache.get('i1', 'e1')!.map((e) => e.EventId)).toEqual([0, 1]);
  });

  it('keeps appended events as the store returns them (undefined fields dropped)', () => {
    const cache = new HistoryCache(10);
    cache.committed(commit('Running', [event(0, { Input: undefined })]), []);
    const [stored] = cache.get('i1', 'e1')!;
    expect('Input' in stored).toBe(false);
  });

  it('hands out copies, so an episode cannot change what the next one sees', () => {
    const cache = new HistoryCache(10);
    cache.set('i1', 'e1', [event(0)]);
    cache.get('i1', 'e1')!.push(event(9));
    expect(cache.get('i1', 'e1')).toHaveLength(1);
  });

  it.each<[string, DurableEpisodeCommit]>([
    ['completed', commit('Completed', [event(1)])],
    ['failed', commit('Failed', [event(1)])],
    ['terminated', commit('Terminated', [event(1)])],
    ['continued as new', commit('ContinuedAsNew', [], { resetHistory: true, executionId: 'e2' })],
  ])('forgets an instance that %s', (_, finished) => {
    const cache = new HistoryCache(10);
    cache.set('i1', 'e1', [event(0)]);
    cache.committed(finished, [event(0)]);
    expect(cache.get('i1', 'e1')).toBeUndefined();
    expect(cache.get('i1', 'e2')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('starts over on a history reset', () => {
    const cache = new HistoryCache(10);
    cache.committed(commit('Running', [event(5)], { resetHistory: true }), [event(0), event(1)]);
    expect(cache.get('i1', 'e1')!.map((e) => e.EventId)).toEqual([5]);
  });

  it('trusts an entry only for the execution it was built for', () => {
    const cache = new HistoryCache(10);
    cache.set('i1', 'e1', [event(0)]);
    expect(cache.get('i1', 'e2')).toBeUndefined();
    expect(cache.get('i1', 'e1')).toBeUndefined();
  });

  it('evicts the least recently used instance beyond its capacity', () => {
    const cache = new HistoryCache(2);
    cache.set('a', 'e', [event(0)]);
    cache.set('b', 'e', [event(0)]);
    cache.get('a', 'e');
    cache.set('c', 'e', [event(0)]);
    expect(cache.size).toBe(2);
    expect(cache.get('b', 'e')).toBeUndefined();
    expect(cache.get('a', 'e')).toBeDefined();
    expect(cache.get('c', 'e')).toBeDefined();
  });

  it.each([[-1], [1.5]])('refuses capacity %p', (capacity) => {
    expect(() => new HistoryCache(capacity)).toThrow(RangeError);
  });
});
