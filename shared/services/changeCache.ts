import { ChangeSignal } from '../ports/changes.port';

/** Entries kept at most; when full the cache starts over (a sign-in then reads the store once more). */
const MAX_ENTRIES = 20_000;

/**
 * Values read from the store, kept while the store's {@link ChangeSignal} stays the same and all
 * dropped when it moves. Without a signal every `get` loads. A value loaded while the signal moved
 * is handed out but not kept, so a read that raced a write is never served again.
 * Callers must not mutate what they get: the same object is handed to every caller.
 */
export class ChangeCache<V> {
  private readonly entries = new Map<string, V>();
  private seen: string | undefined;

  constructor(
    private readonly changes: ChangeSignal | undefined,
    private readonly maxEntries = MAX_ENTRIES,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    if (!this.changes) return load();
    const before = this.changes.current();
    if (before !== this.seen) {
      this.entries.clear();
      this.seen = before;
    }
    if (this.entries.has(key)) return this.entries.get(key) as V;
    const value = await load();
    this.keep(key, value, before);
    return value;
  }

  /**
   * Loads whatever is cached (the caller must read the store, e.g. to do the same work for every
   * input) and keeps `keep(loaded)` under `key` for later {@link get}s, unless the signal moved meanwhile.
   */
  async refresh<T>(key: string, load: () => Promise<T>, keep: (loaded: T) => V): Promise<T> {
    return this.lookup(load, (loaded) => [key, keep(loaded)]);
  }

  /**
   * {@link refresh} when the key is known only once loaded (a user found by UPN, kept by id):
   * `keep` names the entry to keep, or nothing.
   */
  async lookup<T>(load: () => Promise<T>, keep: (loaded: T) => [key: string, value: V] | undefined): Promise<T> {
    if (!this.changes) return load();
    const before = this.changes.current();
    if (before !== this.seen) {
      this.entries.clear();
      this.seen = before;
    }
    const loaded = await load();
    const entry = keep(loaded);
    if (entry) this.keep(entry[0], entry[1], before);
    return loaded;
  }

  private keep(key: string, value: V, before: string): void {
    if (this.changes?.current() !== before || this.seen !== before) return;
    if (this.entries.size >= this.maxEntries && !this.entries.has(key)) this.entries.clear();
    this.entries.set(key, value);
  }
}
