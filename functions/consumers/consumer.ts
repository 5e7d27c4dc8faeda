import type { InvocationContext } from '@azure/functions';
import type { App } from '../../shared/app';
import type { DeliveryContext, DomainEvent } from '../../shared/ports/eventBus.port';

/**
 * One consumer of the `passkey-events` topic, declared once: Azure registers it with
 * `app.serviceBusTopic` on its subscription; the local runtime subscribes it to the local bus.
 * Handlers are idempotent by event id (delivery is at least once) and throw to have a delivery retried.
 */
export interface EventConsumer {
  name: string;
  /** The topic subscription this consumer reads (one per consumer). */
  subscription: string;
  /** Event types it handles (`*` for all, `prefix.*` for a family); others are completed without work. */
  eventTypes: readonly string[];
  /** The handler uses `df.getClient(context)` (e.g. to start an orchestration). */
  durableClient?: boolean;
  maxDeliveryCount?: number;
  handler(event: DomainEvent, input: { app: App; context: InvocationContext; delivery: DeliveryContext }): Promise<void>;
}
