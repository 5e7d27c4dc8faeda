import type { InvocationContext } from '@azure/functions';
import type { App } from '../../shared/app';
import { DomainEvent, EventEnvelope, parseDomainEvent } from '../../shared/domain/events/domainEvent';
import type { EventType } from '../../shared/domain/events/eventTypes';
import { DeliveryContext, UnprocessableEventError } from '../../shared/ports/eventBus.port';

/** What a consumer's handler gets besides the event. */
export interface ConsumerInput {
  app: App;
  context: InvocationContext;
  delivery: DeliveryContext;
}

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
  /** Takes the envelope as the bus delivered it; parses it before any work (defineConsumer). */
  handler(event: EventEnvelope, input: ConsumerInput): Promise<void>;
}

/** A consumer as written: the event types it takes, and a handler of those events, parsed and typed. */
export interface ConsumerDefinition<K extends EventType> extends Omit<EventConsumer, 'eventTypes' | 'handler'> {
  /** The declared types it takes; `['*']` (only with a handler of every type) for all of them. */
  eventTypes: readonly K[] | readonly ['*'];
  handle(event: DomainEvent<K>, input: ConsumerInput): Promise<void>;
}

/**
 * Declares a consumer whose handler only ever sees declared events: the envelope is parsed with its
 * type's schema first. One that does not parse (an unknown type, data not of its type's shape) is
 * logged and dead-lettered (UnprocessableEventError), never acted on.
 */
export function defineConsumer(
  definition: ConsumerDefinition<EventType> & { eventTypes: readonly ['*'] },
): EventConsumer;
export function defineConsumer<K extends EventType>(
  definition: ConsumerDefinition<K> & { eventTypes: readonly K[] },
): EventConsumer;
export function defineConsumer(definition: ConsumerDefinition<EventType>): EventConsumer {
  const { handle, ...declared } = definition;
  const types = definition.eventTypes as readonly string[];
  const takes = (event: DomainEvent) => types.includes('*') || types.includes(event.type);
  return {
    ...declared,
    handler: async (envelope, input) => {
      const parsed = parseDomainEvent(envelope);
      if ('invalid' in parsed) {
        input.context.error(`[${definition.name}] event not processed: ${parsed.invalid}`);
        throw new UnprocessableEventError(parsed.invalid);
      }
      // The overloads tie the handler's type to the declared types; only those reach it.
      if (takes(parsed.event)) await handle(parsed.event, input);
    },
  };
}
