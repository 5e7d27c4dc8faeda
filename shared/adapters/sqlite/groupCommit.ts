import type { SqliteDatabase } from './database';

/** A write waiting for the next group commit. */
interface QueuedWrite {
  apply: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: the writes asked for in one turn of the event loop are applied together in ONE
 * SQLite transaction, each inside its own savepoint (a commit costs more than the rows of a small
 * write, and concurrent requests ask for their writes in the same turns). A write that throws rolls
 * back alone and rejects alone; the others commit. Each write's promise settles only after the
 * transaction committed, so nobody acts on a write that a crash could still take back: a crash
 * before the commit loses only writes whose callers were still waiting, exactly as if each had been
 * its own transaction.
 */
export class GroupCommit {
  private readonly queued: QueuedWrite[] = [];
  private flushScheduled = false;
  /** Runs one queued write: in a savepoint inside the group's transaction. */
  private readonly applyOne: (apply: () => unknown) => unknown;

  constructor(private readonly db: SqliteDatabase) {
    this.applyOne = db.transaction((apply: () => unknown) => apply());
  }

  /** Queues a write for the group commit of this turn of the event loop; settles once it committed (or failed). */
  write<T>(apply: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ apply, resolve: resolve as (value: unknown) => void, reject });
      if (this.flushScheduled) return;
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    });
  }

  /** One transaction for every queued write, each in its own savepoint; then each caller learns its outcome. */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queued.splice(0);
    const outcomes: Outcome[] = [];
    try {
      this.db.transaction(() => {
        for (const { apply } of batch) {
          try {
            outcomes.push({ ok: true, value: this.applyOne(apply) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      })();
    } catch (error) {
      // The transaction itself failed (e.g. the disk): nothing of the batch was written.
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve, reject }, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) resolve(outcome.value);
      else reject(outcome.error);
    });
  }
}
