import { Clock } from '../../shared/ports/clock.port';
import { DurableWorkItem } from './durable.port';

// setTimeout cannot wait longer than 2^31-1 ms (~24.8 days); longer timers re-arm in steps.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

interface Armed {
  timer: DurableWorkItem;
  handle?: NodeJS.Timeout;
}

/**
 * Fires durable timers at their persisted due time. Only an in-memory alarm: the due time lives
 * in the store, so after a restart the engine arms every pending timer again (overdue ones fire
 * at once). Due-ness is judged by the injected clock; `recheck()` re-evaluates every timer after
 * a test clock jumped forward.
 */
export class TimerScheduler {
  private readonly armed = new Map<number, Armed>();

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (timer: DurableWorkItem) => void,
  ) {}

  schedule(timer: DurableWorkItem): void {
    if (this.armed.has(timer.id)) return;
    const entry: Armed = { timer };
    this.armed.set(timer.id, entry);
    this.arm(entry);
  }

  /** Disarms the instance's timers that an episode cancelled; returns their work ids. */
  cancel(instanceId: string, taskIds: 'all' | number[]): number[] {
    const cancelled: number[] = [];
    for (const [id, entry] of this.armed) {
      if (entry.timer.instanceId !== instanceId || (taskIds !== 'all' && !taskIds.includes(entry.timer.taskId)))
        continue;
      clearTimeout(entry.handle);
      this.armed.delete(id);
      cancelled.push(id);
    }
    return cancelled;
  }

  /** Re-evaluates every armed timer against the clock now. */
  recheck(): void {
    for (const entry of [...this.armed.values()]) {
      clearTimeout(entry.handle);
      this.arm(entry);
    }
  }

  /** Timers armed now. */
  get size(): number {
    return this.armed.size;
  }

  /** Disarms every timer (they stay pending in the store). */
  clear(): void {
    for (const entry of this.armed.values()) clearTimeout(entry.handle);
    this.armed.clear();
  }

  private arm(entry: Armed): void {
    const wait = Date.parse(entry.timer.fireAt!) - this.clock.now().getTime();
    if (wait <= 0) {
      this.armed.delete(entry.timer.id);
      this.onDue(entry.timer);
      return;
    }
    entry.handle = setTimeout(() => this.arm(entry), Math.min(wait, MAX_TIMEOUT_MS));
  }
}
