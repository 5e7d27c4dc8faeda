import { EventBus } from '../../ports/eventBus.port';
import { OutboxRepository } from '../../ports/outbox.port';
import { OutboxPublisher } from './outboxPublisher';
import { RelayHealth } from './relayHealth';

const RELAY = 'event-bus';
const BATCH = 200;

/**
 * Polls the outbox (audit log) and hands it to the relay core in order, from a persisted position.
 * Publish first, then move the position: a crash in between publishes a record again (at least
 * once), never loses one. Runs locally over SQLite and Cosmos DB; on Azure a Cosmos DB change-feed
 * trigger hands its documents to the same core instead.
 */
export class OutboxRelay {
  readonly health: RelayHealth;
  private readonly publisher: OutboxPublisher;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** Drains run one at a time: two at once would publish twice and could store an older position last. */
  private queue: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly outbox: OutboxRepository,
    bus: EventBus,
    source: string,
    private readonly intervalMs = 100,
    /** The name its position is kept under: one per outbox (the audit log, the sign-in log). */
    private readonly relay = RELAY,
  ) {
    this.health = new RelayHealth(outbox.relayKind);
    this.publisher = new OutboxPublisher(bus, source, this.health);
  }

  /** Publishes everything written so far; returns how many events were published. */
  drain(): Promise<number> {
    const next = this.queue.then(() => this.drainNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async drainNow(): Promise<number> {
    let published = 0;
    try {
      for (;;) {
        const position = await this.outbox.getCursor(this.relay);
        const { records, cursor } = await this.outbox.readAfter(position, BATCH);
        this.health.polled();
        if (records.length === 0 || cursor === undefined) {
          // A pass with nothing new may still have moved the position (Cosmos DB forgets ids out of its window).
          if (cursor !== undefined && cursor !== position) await this.outbox.setCursor(this.relay, cursor);
          this.health.succeeded();
          return published;
        }
        published += await this.publisher.publish(records);
        await this.outbox.setCursor(this.relay, cursor);
      }
    } catch (e) {
      this.health.failed();
      throw e;
    }
  }

  start(): void {
    this.stopped = false;
    this.health.setRunning(true);
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
    this.health.setRunning(false);
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }
}
