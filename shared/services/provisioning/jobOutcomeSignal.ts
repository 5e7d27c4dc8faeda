/**
 * In-process notice that a job user's outcome was written, so a request waiting for it wakes at
 * once instead of polling the store. Only this process hears it: on Azure the activity may run on
 * another instance, so waiters also re-read the row now and then (see waitForOutcome).
 */
export class JobOutcomeSignal {
  private readonly waiters = new Map<string, Set<() => void>>();

  /** Resolves when `recorded` is called for this user, or when `signal` aborts (the waiter gave up). */
  next(jobId: string, userId: string, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) return resolve();
      const key = keyOf(jobId, userId);
      const waiters = this.waiters.get(key) ?? new Set<() => void>();
      const wake = () => {
        waiters.delete(wake);
        if (waiters.size === 0) this.waiters.delete(key);
        signal.removeEventListener('abort', wake);
        resolve();
      };
      waiters.add(wake);
      this.waiters.set(key, waiters);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /**
   * Told of every outcome recorded in this process, after its waiters woke: how the local host's
   * cluster primary and workers pass outcomes to each other (local/cluster.ts), whose waiters then
   * wake through {@link wake} without the 1 s re-read.
   */
  onRecorded?: (jobId: string, userId: string) => void;

  /** Wakes everyone waiting for this user's outcome, here and (through `onRecorded`) elsewhere. */
  recorded(jobId: string, userId: string): void {
    this.wake(jobId, userId);
    this.onRecorded?.(jobId, userId);
  }

  /** Wakes this process's waiters for an outcome recorded in another process. */
  wake(jobId: string, userId: string): void {
    for (const wake of [...(this.waiters.get(keyOf(jobId, userId)) ?? [])]) wake();
  }

  /** How many waits are open (for tests: a finished wait leaves nothing behind). */
  get openWaits(): number {
    let n = 0;
    for (const waiters of this.waiters.values()) n += waiters.size;
    return n;
  }
}

const keyOf = (jobId: string, userId: string) => `${jobId}\u0000${userId}`;
