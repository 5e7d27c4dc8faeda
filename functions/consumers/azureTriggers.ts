import type { InvocationContext } from '@azure/functions';
import type { App } from '../../shared/app';
import type { AuditRecord } from '../../shared/domain/audit';
import { eventFromAudit } from '../../shared/domain/events/eventFromAudit';
import { matchesEventType } from '../../shared/domain/events/matchesEventType';
import type { DomainEvent, EventBus } from '../../shared/ports/eventBus.port';
import { EventConsumer } from './consumer';

/**
 * The `app.serviceBusTopic` handler of a consumer: the message body is the CloudEvent. Throwing
 * abandons the message, so Service Bus redelivers it and dead-letters it after the subscription's
 * max delivery count (Bicep sets it).
 */
export function serviceBusConsumerHandler(consumer: EventConsumer, getApp: () => Promise<App>) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const event = (typeof message === 'string' ? JSON.parse(message) : message) as DomainEvent;
    if (!matchesEventType(consumer.eventTypes, event.type)) return;
    const deliveryCount = Number(context.triggerMetadata?.deliveryCount ?? 1);
    await consumer.handler(event, { app: await getApp(), context, delivery: { deliveryCount, subscription: consumer.subscription } });
  };
}

/**
 * On Azure the audit container's change feed is the outbox relay: each audit record written with a
 * change (Cosmos DB trigger, at least once) is published as its domain event.
 */
export function outboxChangeFeedHandler(getApp: () => Promise<App>, getBus: () => Promise<EventBus>) {
  return async (documents: unknown[]): Promise<void> => {
    const app = await getApp();
    const bus = await getBus();
    await bus.publish((documents as AuditRecord[]).map((record) => eventFromAudit(record, app.config.issuer)));
  };
}
