import type { InvocationContext } from '@azure/functions';
import type { App } from '../../shared/app';
import type { AuditRecord } from '../../shared/domain/audit';
import { matchesEventType } from '../../shared/domain/events/matchesEventType';
import type { DomainEvent, EventBus } from '../../shared/ports/eventBus.port';
import { z } from '../../shared/schemas/zod';
import { inWriteOrder, OutboxPublisher } from '../../shared/services/events/outboxPublisher';
import { registerProcessRelayHealth, RelayHealth } from '../../shared/services/events/relayHealth';
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
 * An audit document of the change feed, read back as the record that was written: the change feed
 * is an edge like any other. Unknown properties (Cosmos DB's `_rid`, `_ts`..., the adapter's sort
 * key) are dropped; a document that is not an audit record fails the batch, loudly.
 */
const nullableString = z.string().nullable();
const ChangeFeedAuditRecord: z.ZodType<AuditRecord> = z.object({
  id: z.string().min(1),
  activityDateTime: z.string().min(1),
  category: z.enum(['Policy', 'UserManagement', 'GroupManagement', 'ApplicationManagement', 'Authentication']),
  activityDisplayName: z.string(),
  operationType: z.enum(['Add', 'Update', 'Delete', 'Other']),
  loggedByService: z.string(),
  initiatedBy: z.object({
    user: z.object({ id: z.string(), userPrincipalName: nullableString }).nullable(),
    app: z.object({ appId: z.string() }).nullable(),
  }),
  targetResources: z.array(
    z.object({
      id: z.string(),
      displayName: nullableString,
      type: z.string(),
      modifiedProperties: z.array(z.object({ displayName: z.string(), oldValue: nullableString, newValue: nullableString })),
    }),
  ),
  result: z.enum(['success', 'failure']),
  resultReason: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

/**
 * On Azure the audit container's change feed is the outbox relay: the Cosmos DB trigger hands each
 * batch of audit documents (at least once) to the same relay core as the local poller, which
 * publishes them as domain events in write order. Throwing fails the batch: with the retry policy
 * set at registration the lease does not move, so the batch comes again (no event lost).
 */
export function outboxChangeFeedHandler(getApp: () => Promise<App>, getBus: () => Promise<EventBus>) {
  const health = new RelayHealth('cosmos-changefeed');
  health.setRunning(true); // the Functions host runs the trigger once it is registered
  registerProcessRelayHealth(health);
  let publisher: Promise<OutboxPublisher> | undefined;
  return async (documents: unknown[]): Promise<void> => {
    try {
      const records = inWriteOrder(z.array(ChangeFeedAuditRecord).parse(documents));
      publisher ??= Promise.all([getApp(), getBus()]).then(([app, bus]) => new OutboxPublisher(bus, app.config.issuer, health));
      await (await publisher.catch((e: unknown) => {
        publisher = undefined; // build it again on the next batch
        throw e;
      })).publish(records);
    } catch (e) {
      health.failed();
      throw e;
    }
  };
}
