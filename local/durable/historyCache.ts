import { DurableEpisodeCommit, DurableHistoryEvent, isTerminalDurableStatus } from './durable.port';

interface CachedHistory {
  executionId: string;
  events: DurableHistoryEvent[];
}

/**
 * The histories of running instances, kept in memory so an episode appends its new events
 * instead of re-reading and re-parsing every stored row (replay cost no longer grows with the
 * number of episodes an instance had). The store stays the source of truth: an entry is only
 * trusted for the execution it was built for, it is filled from the store when missing, and it
 * is dropped when the instance finishes, is purged, or an episode failed. Bounded (least
 * recently used first out), so memory stays flat with the number of running instances.
 *
 * Events are kept as the store would return them (a JSON round trip), so an episode sees the
 * same history whether it came from the cache or from the store.
 */
export class HistoryCache {
  private readonly entries = new Map<string, CachedHistory>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`capacity must be a non-negative integer; received ${capacity}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached history of that execution (a copy of the list), or undefined. */
  get(instanceId: string, executionId: string): DurableHistoryEvent[] | undefined {
    const entry = this.entries.get(instanceId);
    if (!entry) return undefined;
    if (entry.executionId !== executionId) {
      this.entries.delete(instanceId);
      return undefined;
    }
    // Re-insert: Map order is the recency order.
    this.entries.delete(instanceId);
    this.entries.set(instanceId, entry);
    return [...entry.events];
  }

  /** Remembers the history just loaded from the store for that execution. */
  set(instanceId: string, executionId: string, events: DurableHistoryEvent[]): void {
    this.entries.delete(instanceId);
    if (this.capacity === 0) return;
    this.entries.set(instanceId, { executionId, events: [...events] });
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /**
   * Applies a commit the store accepted: `history` is what the episode started from (the
   * execution's stored history). Finished instances are dropped (their history is read rarely).
   */
  committed(commit: DurableEpisodeCommit, history: DurableHistoryEvent[]): void {
    if (isTerminalDurableStatus(commit.instance.status) || commit.instance.status === 'ContinuedAsNew') {
      this.entries.delete(commit.instanceId);
      return;
    }
    const appended = commit.appendHistory.map(normalise);
    const base = commit.resetHistory ? [] : history;
    this.set(commit.instanceId, commit.instance.executionId, [...base, ...appended]);
  }

  delete(instanceId: string): void {
    this.entries.delete(instanceId);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The event as the store gives it back (undefined fields dropped, dates as strings). */
const normalise = (event: DurableHistoryEvent): DurableHistoryEvent => JSON.parse(JSON.stringify(event));
