/**
 * Runs queued jobs with at most `concurrency` at a time, first in first out. `close()` stops
 * starting queued jobs (they stay unrun: the durable store still holds their work) and `idle()`
 * resolves when the jobs already started have finished — a graceful drain.
 */
export class BoundedRunner {
  private readonly queue: Array<() => Promise<void>> = [];
  private active = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer; received ${concurrency}`);
    }
  }

  /** Jobs that go before every queued ordinary one (first in first out among themselves). */
  private readonly urgent: Array<() => Promise<void>> = [];

  /**
   * Queues a job; errors are the job's to handle (a rejected job is ignored here). An `urgent` job
   * runs before every ordinary job still queued (e.g. work someone is waiting for, behind a fan-out).
   */
  push(job: () => Promise<void>, urgent = false): void {
    if (this.closed) return;
    (urgent ? this.urgent : this.queue).push(job);
    this.pump();
  }

  open(): void {
    this.closed = false;
  }

  /** Stops starting new jobs and forgets the queued ones. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    this.urgent.length = 0;
  }

  /** Resolves once no job is running. */
  idle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  get size(): number {
    return this.urgent.length + this.queue.length + this.active;
  }

  private pump(): void {
    while (!this.closed && this.active < this.concurrency && (this.urgent.length || this.queue.length)) {
      const job = (this.urgent.length ? this.urgent : this.queue).shift()!;
      this.active++;
      void job()
        .catch(() => undefined)
        .finally(() => {
          this.active--;
          if (this.active === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
          this.pump();
        });
    }
  }
}
