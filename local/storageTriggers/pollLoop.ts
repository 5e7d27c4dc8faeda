import type { Logger } from '../logger';

/** How a poller paces itself: at once again after work, doubling up to `maxMs` while idle (as the Functions host). */
export interface PollPacing {
  minMs: number;
  maxMs: number;
}

/**
 * Runs `poll` until stopped: again at once while it finds work, backing off while idle or failing.
 * A failure (storage down, not yet started) is logged once per distinct message, not every poll.
 */
export class PollLoop {
  private stopped = false;
  private wake?: () => void;
  private running?: Promise<void>;
  private lastError?: string;

  constructor(
    private readonly name: string,
    private readonly poll: () => Promise<number>,
    private readonly pacing: PollPacing,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  /** Stops after the poll in progress (its work finishes: nothing is left half-done). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
  }

  private async run(): Promise<void> {
    let delay = this.pacing.minMs;
    while (!this.stopped) {
      let found = 0;
      try {
        found = await this.poll();
        if (this.lastError !== undefined) this.logger.info(`[${this.name}] storage reachable again`);
        this.lastError = undefined;
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        if (message !== this.lastError)
          this.logger.log('warning', `[${this.name}] polling failed (retrying): ${message.split('\n')[0]}`);
        this.lastError = message;
      }
      delay = found > 0 ? 0 : Math.min(Math.max(delay * 2, this.pacing.minMs), this.pacing.maxMs);
      if (delay > 0 && !this.stopped)
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
    }
  }
}
