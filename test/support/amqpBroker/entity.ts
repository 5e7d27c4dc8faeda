import type { Delivery, Sender } from 'rhea';
import { AmqpMessageFields, StoredMessage, newLockToken, outgoingMessage } from './codec';
import { linkInternals } from './rheaInternals';

export interface EntitySettings {
  lockDurationMs: number;
  maxDeliveryCount: number;
}

interface Lock {
  message: StoredMessage;
  lockedUntil: number;
  timer: NodeJS.Timeout;
  sender: Sender;
}

/** How a receiver settled a delivery (its disposition), in Service Bus terms. */
export type Settlement =
  | { kind: 'complete' }
  | { kind: 'abandon'; annotations?: Record<string, unknown> }
  | { kind: 'defer'; annotations?: Record<string, unknown> }
  | { kind: 'deadLetter'; reason?: string; description?: string; properties?: Record<string, unknown> };

/** The outcome of settling by lock token: `lockLost` when the lock expired or the token is unknown. */
export type SettleResult = 'settled' | 'lockLost';

/**
 * A queue-like entity: a topic subscription or a dead-letter queue. Peek-lock delivery to attached
 * consumer links, one message per consumer per pump pass (see `pump`), oldest sequence number first.
 */
export class QueueEntity {
  private readonly available: StoredMessage[] = [];
  private readonly deferred: StoredMessage[] = [];
  private readonly locks = new Map<string, Lock>();
  private readonly consumers: Sender[] = [];
  private readonly draining = new Set<Sender>();
  private pumpScheduled = false;
  private rotation = 0;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly settings: EntitySettings,
    readonly deadLetterQueue?: QueueEntity,
  ) {}

  private lastSequenceNumber = 0;
  private readonly nextSequenceNumber = () => ++this.lastSequenceNumber;

  /** Active (not dead-lettered) messages: available, locked and deferred. */
  get messageCount(): number {
    return this.available.length + this.locks.size + this.deferred.length;
  }

  /** Stores a message. A topic numbers each message once for all its subscriptions; a dead-letter queue numbers its own. */
  enqueue(fields: AmqpMessageFields, sequenceNumber = this.nextSequenceNumber(), deliveries = 0): void {
    this.insert({ sequenceNumber, enqueuedTime: Date.now(), deliveries, fields });
    this.schedulePump();
  }

  addConsumer(sender: Sender): void {
    this.consumers.push(sender);
    this.schedulePump();
  }

  /** A consumer link went away: its locked messages become available again (their deliveries still count). */
  removeConsumer(sender: Sender): void {
    const at = this.consumers.indexOf(sender);
    if (at >= 0) this.consumers.splice(at, 1);
    this.draining.delete(sender);
    for (const [token, lock] of this.locks) if (lock.sender === sender) this.unlock(token, lock, {});
  }

  /** After a flow frame; a drain with nothing to send is answered at once (rhea writes the flow after this event). */
  creditChanged(sender: Sender, draining: boolean): void {
    if (draining && this.available.length === 0) sender.set_drained(true);
    else if (draining) this.draining.add(sender);
    this.schedulePump();
  }

  /** Settles the delivery behind `tag` (the lock token). */
  settle(tag: Buffer, settlement: Settlement): SettleResult {
    const token = tag.toString('hex');
    const lock = this.locks.get(token);
    if (!lock || lock.lockedUntil < Date.now()) return 'lockLost';
    this.unlock(token, lock, settlement);
    return 'settled';
  }

  /** Extends a lock by one lock duration; undefined when the lock is gone. */
  renewLock(tag: Buffer): number | undefined {
    const lock = this.locks.get(tag.toString('hex'));
    if (!lock || lock.lockedUntil < Date.now()) return undefined;
    lock.lockedUntil = Date.now() + this.settings.lockDurationMs;
    lock.timer.refresh();
    return lock.lockedUntil;
  }

  /** Messages from `fromSequenceNumber` on, without locking them (the header's delivery-count: deliveries so far). */
  peek(fromSequenceNumber: number, count: number): AmqpMessageFields[] {
    return [...this.available, ...this.deferred, ...[...this.locks.values()].map((l) => l.message)]
      .filter((m) => m.sequenceNumber >= fromSequenceNumber)
      .sort((a, b) => a.sequenceNumber - b.sequenceNumber)
      .slice(0, count)
      .map((m) => outgoingMessage(m, m.deliveries));
  }

  close(): void {
    this.closed = true;
    for (const lock of this.locks.values()) clearTimeout(lock.timer);
    this.locks.clear();
  }

  private insert(message: StoredMessage): void {
    let at = this.available.length;
    while (at > 0 && this.available[at - 1].sequenceNumber > message.sequenceNumber) at--;
    this.available.splice(at, 0, message);
  }

  private unlock(token: string, lock: Lock, settlement: Settlement | Record<string, never>): void {
    clearTimeout(lock.timer);
    this.locks.delete(token);
    const { message } = lock;
    const kind = 'kind' in settlement ? settlement.kind : 'abandon';
    if (kind === 'complete') return;
    if (kind === 'deadLetter') {
      const s = settlement as Extract<Settlement, { kind: 'deadLetter' }>;
      this.deadLetter(message, s.reason, s.description, s.properties);
      return;
    }
    const annotations = 'annotations' in settlement ? settlement.annotations : undefined;
    if (annotations)
      message.fields = {
        ...message.fields,
        message_annotations: { ...message.fields.message_annotations, ...annotations },
      };
    if (kind === 'defer') {
      this.deferred.push(message);
    } else if (message.deliveries >= this.settings.maxDeliveryCount) {
      this.deadLetter(
        message,
        'MaxDeliveryCountExceeded',
        `Message could not be consumed after ${this.settings.maxDeliveryCount} delivery attempts.`,
      );
    } else {
      this.insert(message);
    }
    this.schedulePump();
  }

  private deadLetter(
    message: StoredMessage,
    reason?: string,
    description?: string,
    properties?: Record<string, unknown>,
  ): void {
    const dlq = this.deadLetterQueue;
    if (!dlq) return; // a dead-letter queue has no dead-letter queue of its own: the message is dropped
    const applicationProperties: Record<string, unknown> = { ...message.fields.application_properties, ...properties };
    if (reason !== undefined) applicationProperties.DeadLetterReason = reason;
    if (description !== undefined) applicationProperties.DeadLetterErrorDescription = description;
    const annotations = { ...message.fields.message_annotations, 'x-opt-deadletter-source': this.path };
    dlq.enqueue(
      { ...message.fields, application_properties: applicationProperties, message_annotations: annotations },
      undefined,
      message.deliveries,
    );
  }

  /**
   * Pumps on a later turn of the event loop, one message per consumer per pass: rhea takes credit off a
   * link only when it writes the transfer (on process.nextTick), so `sendable()` is only true to its word
   * after that has run.
   */
  private schedulePump(): void {
    if (this.pumpScheduled || this.closed) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      if (!this.closed) this.pump();
    });
  }

  private pump(): void {
    let sent = false;
    const n = this.consumers.length;
    for (let i = 0; i < n; i++) {
      const sender = this.consumers[(this.rotation + i) % n];
      if (!sender.is_open() || !sender.sendable()) continue;
      const message = this.available.shift();
      if (message) {
        this.deliver(sender, message);
        sent = true;
      } else if (this.draining.delete(sender)) {
        // Nothing left for the credit: give it back, as a drain asks. Outside rhea's own event handling
        // nothing would write the flow frame, so ask the connection to process.
        sender.set_drained(true);
        linkInternals(sender).connection._register();
      }
    }
    this.rotation = n ? (this.rotation + 1) % n : 0;
    if (sent) this.schedulePump();
  }

  private deliver(sender: Sender, message: StoredMessage): void {
    const earlier = message.deliveries++;
    const tag = newLockToken();
    const presettled = linkInternals(sender).local.attach.snd_settle_mode === 1; // receiveAndDelete
    if (presettled) {
      sender.send(outgoingMessage(message, earlier), tag);
      return;
    }
    const lockedUntil = Date.now() + this.settings.lockDurationMs;
    const token = tag.toString('hex');
    const timer = setTimeout(() => {
      const lock = this.locks.get(token);
      if (lock) this.unlock(token, lock, {}); // an expired lock counts as an abandoned delivery
    }, this.settings.lockDurationMs);
    timer.unref();
    this.locks.set(token, { message, lockedUntil, timer, sender });
    sender.send(outgoingMessage(message, earlier, lockedUntil), tag);
  }
}

/** Reads a delivery's tag as the Buffer it was sent as. */
export const tagOf = (delivery: Delivery): Buffer =>
  typeof delivery.tag === 'string' ? Buffer.from(delivery.tag) : delivery.tag;
