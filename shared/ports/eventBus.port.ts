import type { EventEnvelope } from '../domain/events/domainEvent';

export type { DomainEvent, EventEnvelope } from '../domain/events/domainEvent';

export interface DeliveryContext {
  /** 1 for the first delivery of this event to this subscription. */
  deliveryCount: number;
  subscription: string;
}

/**
 * A consumer: returns normally to complete, throws to have the delivery retried (then dead-lettered);
 * throws UnprocessableEventError to have it dead-lettered at once (a retry cannot help).
 * The bus carries envelopes: the consumer parses the event it takes (parseDomainEvent).
 */
export type EventHandler = (event: EventEnvelope, context: DeliveryContext) => Promise<void>;

/** An event that no retry will make processable (it does not parse): buses dead-letter it at once. */
export class UnprocessableEventError extends Error {
  override readonly name = 'UnprocessableEventError';
}

export interface SubscriptionOptions {
  /** Deliveries before the event is dead-lettered (default 5). */
  maxDeliveryCount?: number;
}

/**
 * Topic `passkey-events` with one subscription per consumer. At least once: a handler may see an
 * event again (after a crash or a retry), so handlers are idempotent by event id.
 */
export interface EventBus {
  readonly kind: 'local' | 'servicebus';
  publish(events: EventEnvelope[]): Promise<void>;
  /** Starts delivering to `handler` from the subscription's position. */
  subscribe(subscription: string, handler: EventHandler, options?: SubscriptionOptions): Promise<void>;
  /** Dead-lettered events of a subscription, oldest first. */
  deadLetters(
    subscription: string,
    top: number,
  ): Promise<Array<{ event: EventEnvelope; reason: string; deliveryCount: number }>>;
  close(): Promise<void>;
}
