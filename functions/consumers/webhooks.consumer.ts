import { EventSubscriptions } from '../../shared/eventTopology';
import { defineConsumer } from './consumer';

/** Bus deliveries of one event before it is dead-lettered (the last failure is logged as `deadLettered`). */
export const WEBHOOK_MAX_DELIVERY_COUNT = EventSubscriptions.webhooks.maxDeliveryCount;

/**
 * Webhooks to outside endpoints: delivers each event to the subscriptions that take its type. A
 * failed receiver makes the handler throw, so the bus redelivers with backoff; receivers that already
 * have the event are skipped on redelivery (idempotent by event id).
 */
export const webhooksConsumer = defineConsumer({
  name: 'webhooks',
  subscription: EventSubscriptions.webhooks.name,
  // Every type: each webhook subscription picks its own types (WebhookService matches them).
  eventTypes: ['*'],
  maxDeliveryCount: WEBHOOK_MAX_DELIVERY_COUNT,
  handle: async (event, { app, delivery }) => {
    await app.webhooks.deliver(event, {
      attempt: delivery.deliveryCount,
      lastAttempt: delivery.deliveryCount >= WEBHOOK_MAX_DELIVERY_COUNT,
    });
  },
});
