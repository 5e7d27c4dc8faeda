/** A domain event with CloudEvents 1.0 field names. `id` is stable: consumers dedupe on it. */
export interface DomainEvent<T = unknown> {
  specversion: '1.0';
  id: string;
  /** e.g. `fido2Policy.updated`, `fido2Method.registered`, `user.upnChanged`. */
  type: string;
  /** e.g. `/tenants/contoso/passkey-service`. */
  source: string;
  /** The resource the event is about, e.g. `users/{id}` or `policies/fido2`. */
  subject: string;
  /** ISO 8601. */
  time: string;
  datacontenttype: 'application/json';
  data: T;
}

export interface DeliveryContext {
  /** 1 for the first delivery of this event to this subscription. */
  deliveryCount: number;
  subscription: string;
}

/** A consumer: returns normally to complete, throws to have the delivery retried (then dead-lettered). */
export type EventHandler = (event: DomainEvent, context: DeliveryContext) => Promise<void>;

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
  publish(events: DomainEvent[]): Promise<void>;
  /** Starts delivering to `handler` from the subscription's position. */
  subscribe(subscription: string, handler: EventHandler, options?: SubscriptionOptions): Promise<void>;
  /** Dead-lettered events of a subscription, oldest first. */
  deadLetters(subscription: string, top: number): Promise<Array<{ event: DomainEvent; reason: string; deliveryCount: number }>>;
  close(): Promise<void>;
}
