import { eventFromAudit } from '../../domain/events/eventFromAudit';
import { EventBus } from '../../ports/eventBus.port';
import { OutboxRepository } from '../../ports/outbox.port';

const RELAY = 'event-bus';
const BATCH = 200;

/**
 * Publishes the outbox (audit log) to the event bus, in order, from a persisted position. Publish
 * first, then move the position: a crash in between publishes a record again (at least once), never
 * loses one. Locally it polls; on Azure a Cosmos DB change-feed trigger plays this role.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly bus: EventBus,
    private readonly source: string,
    private readonly intervalMs = 100,
  ) {}

  /** Publishes everything written so far; returns how many events were published. */
  async drain(): Promise<number> {
    let published = 0;
    for (;;) {
      const position = await this.outbox.getCursor(RELAY);
      const { records, cursor } = await this.outbox.readAfter(position, BATCH);
      if (records.length === 0 || cursor === undefined) return published;
      await this.bus.publish(records.map((r) => eventFromAudit(r, this.source)));
      await this.outbox.setCursor(RELAY, cursor);
      published += records.length;
    }
  }

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.drain()
        .then(() => undefined)
        .catch(() => undefined) // the next tick retries; the position only moves after a publish
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.intervalMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
