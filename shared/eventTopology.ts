/**
 * The `passkey-events` topic and its subscriptions, one per consumer: the local bus opens these,
 * the consumers name them, and infra/main.bicep provisions the same names and max delivery counts
 * on Service Bus (test/unit/infra/bicep.test.ts holds the Bicep to this module).
 */
export const EVENTS_TOPIC = 'passkey-events';

/** A subscription on the topic; after `maxDeliveryCount` failed deliveries an event is dead-lettered. */
export interface EventSubscription {
  name: string;
  maxDeliveryCount: number;
}

export const EventSubscriptions = {
  /** Webhooks to outside endpoints: a few more tries than a local consumer, for endpoints that are briefly down. */
  webhooks: { name: 'webhooks', maxDeliveryCount: 8 },
  /** The UPN-change re-enrolment flow (the local bus's default before this module; Bicep said 10). */
  reenrolment: { name: 'reenrolment', maxDeliveryCount: 5 },
} as const satisfies Record<string, EventSubscription>;

/** Every subscription's name, as the local bus opens them. */
export const EVENT_SUBSCRIPTIONS: readonly string[] = Object.values(EventSubscriptions).map((s) => s.name);
