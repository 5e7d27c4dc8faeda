import Database from 'better-sqlite3';
import { createPrivateFile } from '../sqlite/database';
import { cacheStatements } from '../sqlite/statementCache';
import { EventEnvelopeSchema } from '../../domain/events/domainEvent';
import { z } from '../../schemas/zod';
import {
  DeliveryContext,
  EventBus,
  EventEnvelope,
  EventHandler,
  SubscriptionOptions,
  UnprocessableEventError,
} from '../../ports/eventBus.port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS bus_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS bus_subscriptions (name TEXT PRIMARY KEY, cursor INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS bus_dead_letters (subscription TEXT NOT NULL, seq INTEGER NOT NULL, reason TEXT NOT NULL, delivery_count INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (subscription, seq));
`;

export interface LocalEventBusOptions {
  /** Delay before redelivery after the n-th failed attempt (default 100 ms doubling, max 30 s). */
  backoffMs?: (attempt: number) => number;
  /** How often an idle subscription looks for new events (default 50 ms). */
  pollMs?: number;
  /** Subscriptions to provision at open, as infrastructure provisions Service Bus subscriptions. */
  subscriptions?: readonly string[];
}

/** Events handed to a subscription's handler before its cursor is written. */
const DELIVERY_BATCH = 64;

interface Pump {
  stopped: boolean;
  wake: () => void;
  done: Promise<void>;
}

/**
 * The in-process bus of the embedded runtime, durable in SQLite: events are kept, each subscription
 * has a persisted cursor, a failing handler is retried with backoff and dead-lettered after
 * maxDeliveryCount, and a restart resumes every subscription where it stopped. Same semantics as
 * the Service Bus topic: at least once, in order per subscription. Publishing is idempotent by event id.
 */
export class LocalEventBus implements EventBus {
  readonly kind = 'local' as const;
  private readonly pumps = new Map<string, Pump>();
  private readonly backoffMs: (attempt: number) => number;
  private readonly pollMs: number;

  constructor(
    private readonly db: Database.Database,
    options: LocalEventBusOptions = {},
  ) {
    db.exec(SCHEMA);
    this.backoffMs = options.backoffMs ?? ((attempt) => Math.min(30_000, 100 * 2 ** (attempt - 1)));
    this.pollMs = options.pollMs ?? 50;
    for (const name of options.subscriptions ?? []) this.provision(name);
  }

  /** Creates the subscription if missing; it receives what is published from then on (as on Service Bus). */
  private provision(subscription: string): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO bus_subscriptions (name, cursor) VALUES (?, (SELECT COALESCE(MAX(seq), 0) FROM bus_events))',
      )
      .run(subscription);
  }

  /** Opens (or creates) the bus file. */
  static open(file: string, options?: LocalEventBusOptions): LocalEventBus {
    createPrivateFile(file);
    const db = cacheStatements(new Database(file));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    return new LocalEventBus(db, options);
  }

  async publish(events: EventEnvelope[]): Promise<void> {
    const insert = this.db.prepare('INSERT OR IGNORE INTO bus_events (id, body) VALUES (?, ?)');
    this.db.transaction(() => events.forEach((e) => insert.run(e.id, JSON.stringify(e))))();
    for (const pump of this.pumps.values()) pump.wake();
  }

  async subscribe(subscription: string, handler: EventHandler, options: SubscriptionOptions = {}): Promise<void> {
    if (this.pumps.has(subscription))
      throw new Error(`Subscription '${subscription}' already has a handler in this process.`);
    this.provision(subscription);
    const maxDeliveryCount = options.maxDeliveryCount ?? 5;
    let wake = () => {};
    const pump: Pump = { stopped: false, wake: () => wake(), done: Promise.resolve() };
    const sleep = (ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    pump.done = (async () => {
      while (!pump.stopped) {
        const delay = await this.deliverNext(subscription, handler, maxDeliveryCount, pump);
        if (delay > 0 && !pump.stopped) await sleep(delay);
      }
    })();
    this.pumps.set(subscription, pump);
  }

  /**
   * Delivers the subscription's next events, up to {@link DELIVERY_BATCH} in order, moving its cursor
   * once for all that completed (one write, not one per event: each sign-in publishes an event);
   * returns how long to wait before the next attempt. An event whose handler fails ends the batch,
   * after the cursor moved past the ones before it.
   */
  private async deliverNext(
    subscription: string,
    handler: EventHandler,
    maxDeliveryCount: number,
    pump: Pump,
  ): Promise<number> {
    const sub = this.db.prepare('SELECT cursor, attempts FROM bus_subscriptions WHERE name = ?').get(subscription) as {
      cursor: number;
      attempts: number;
    };
    const batch = this.db
      .prepare('SELECT seq, body FROM bus_events WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(sub.cursor, DELIVERY_BATCH) as Array<{ seq: number; body: string }>;
    if (batch.length === 0) return this.pollMs;
    let delivered = sub.cursor;
    const complete = () => {
      if (delivered !== sub.cursor)
        this.db
          .prepare('UPDATE bus_subscriptions SET cursor = ?, attempts = 0 WHERE name = ?')
          .run(delivered, subscription);
    };
    for (const next of batch) {
      // Only the first of the batch may have failed before.
      const attempted = next.seq === batch[0].seq ? sub.attempts : 0;
      const context: DeliveryContext = { deliveryCount: attempted + 1, subscription };
      const envelope = EventEnvelopeSchema.safeParse(JSON.parse(next.body));
      try {
        if (!envelope.success)
          throw new UnprocessableEventError(`Expected a CloudEvents 1.0 envelope: ${z.prettifyError(envelope.error)}`);
        await handler(envelope.data, context);
        delivered = next.seq;
      } catch (error) {
        complete();
        const attempts = attempted + 1;
        // A body that is no envelope, or an event its consumer cannot parse, fails every retry alike: dead-letter it now.
        const unprocessable = error instanceof UnprocessableEventError;
        if (attempts >= maxDeliveryCount || unprocessable) {
          this.db.transaction(() => {
            this.db
              .prepare(
                'INSERT OR REPLACE INTO bus_dead_letters (subscription, seq, reason, delivery_count, body) VALUES (?, ?, ?, ?, ?)',
              )
              .run(
                subscription,
                next.seq,
                `${unprocessable ? 'UnprocessableEvent' : 'MaxDeliveryCountExceeded'}: ${error instanceof Error ? error.message : String(error)}`,
                attempts,
                next.body,
              );
            this.db
              .prepare('UPDATE bus_subscriptions SET cursor = ?, attempts = 0 WHERE name = ?')
              .run(next.seq, subscription);
          })();
          return 0;
        }
        this.db.prepare('UPDATE bus_subscriptions SET attempts = ? WHERE name = ?').run(attempts, subscription);
        return this.backoffMs(attempts);
      }
      if (pump.stopped) break;
    }
    complete();
    return 0;
  }

  async deadLetters(subscription: string, top: number) {
    const rows = this.db
      .prepare('SELECT body, reason, delivery_count FROM bus_dead_letters WHERE subscription = ? ORDER BY seq LIMIT ?')
      .all(subscription, top) as Array<{ body: string; reason: string; delivery_count: number }>;
    // A body that was no envelope is listed by no event (as Service Bus lists it).
    return rows.flatMap((r) => {
      const event = EventEnvelopeSchema.safeParse(JSON.parse(r.body));
      return event.success ? [{ event: event.data, reason: r.reason, deliveryCount: r.delivery_count }] : [];
    });
  }

  /** Stops delivering; an in-flight handler finishes first. */
  async close(): Promise<void> {
    const pumps = [...this.pumps.values()];
    for (const pump of pumps) {
      pump.stopped = true;
      pump.wake();
    }
    await Promise.all(pumps.map((p) => p.done));
    this.pumps.clear();
    if (this.db.open) this.db.close();
  }
}
