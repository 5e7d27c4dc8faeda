import { join } from 'node:path';
import { LocalEventBus } from './adapters/localbus/localEventBus';
import { AppConfig } from './config';
import { EVENT_SUBSCRIPTIONS } from './eventTopology';
import { EventBus } from './ports/eventBus.port';

/**
 * The event bus for a configuration: Service Bus (`passkey-events`) when SERVICEBUS_CONNECTION is
 * set, else the durable local bus under DATA_DIR.
 */
export async function createEventBus(config: AppConfig): Promise<EventBus> {
  if (config.serviceBusConnection) {
    // Loaded lazily: the embedded default should not pay for the Service Bus SDK at start.
    const { ServiceBusEventBus } = await import('./adapters/servicebus/serviceBus.eventBus');
    return new ServiceBusEventBus({ connectionString: config.serviceBusConnection });
  }
  const base = config.eventRetryBaseMs;
  return LocalEventBus.open(join(config.dataDir, 'bus.db'), {
    subscriptions: EVENT_SUBSCRIPTIONS,
    backoffMs: (attempt) => Math.min(30_000, base * 2 ** (attempt - 1)),
  });
}
