import type { InvocationContext } from '@azure/functions';
import type { App } from '../../shared/app';
import { AuditRecordSchema } from '../../shared/domain/auditRecordSchema';
import { EventEnvelopeSchema } from '../../shared/domain/events/domainEvent';
import { matchesEventType } from '../../shared/domain/events/matchesEventType';
import { EventBus, UnprocessableEventError } from '../../shared/ports/eventBus.port';
import { z } from '../../shared/schemas/zod';
import { inWriteOrder, OutboxPublisher } from '../../shared/services/events/outboxPublisher';
import { registerProcessRelayHealth, RelayHealth } from '../../shared/services/events/relayHealth';
import { EventConsumer } from './consumer';
import { SignInRecordSchema } from '../../shared/domain/signIns/signInRecord';
import { signInOutboxRecord } from '../../shared/domain/signIns/signInOutboxRecord';

/** A message body: the CloudEvent as JSON text, or the object the trigger already decoded. */
function decodedBody(message: unknown): unknown {
  if (typeof message !== 'string') return message;
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return message; // refused below, as a string is no envelope
  }
}

/**
 * The `app.serviceBusTopic` handler of a consumer: the message body is the CloudEvent, parsed as an
 * envelope here and as its type's event by the consumer. Throwing abandons the message, so Service
 * Bus redelivers it and dead-letters it after the subscription's max delivery count (Bicep sets it);
 * a body that is no CloudEvent is logged and thrown too (the trigger cannot dead-letter it sooner).
 */
export function serviceBusConsumerHandler(consumer: EventConsumer, getApp: () => Promise<App>) {
  return async (message: unknown, context: InvocationContext): Promise<void> => {
    const body = EventEnvelopeSchema.safeParse(decodedBody(message));
    if (!body.success) {
      const reason = `[${consumer.name}] message is not a CloudEvent, not processed: ${z.prettifyError(body.error)}`;
      context.error(reason);
      throw new UnprocessableEventError(reason);
    }
    const event = body.data;
    if (!matchesEventType(consumer.eventTypes, event.type)) return;
    const deliveryCount = Number(context.triggerMetadata?.deliveryCount ?? 1);
    await consumer.handler(event, {
      app: await getApp(),
      context,
      delivery: { deliveryCount, subscription: consumer.subscription },
    });
  };
}

/**
 * An audit document of the change feed is read back as the record that was written (AuditRecordSchema,
 * with its declared event type): the change feed is an edge like any other. Unknown properties
 * (Cosmos DB's `_rid`, `_ts`..., the adapter's sort key) are dropped; a document that is not an audit
 * record fails the batch, loudly.
 */
const ChangeFeedBatch = z.array(AuditRecordSchema);

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
      const records = inWriteOrder(ChangeFeedBatch.parse(documents));
      publisher ??= Promise.all([getApp(), getBus()]).then(
        ([app, bus]) => new OutboxPublisher(bus, app.config.issuer, health),
      );
      await (
        await publisher.catch((e: unknown) => {
          publisher = undefined; // build it again on the next batch
          throw e;
        })
      ).publish(records);
    } catch (e) {
      health.failed();
      throw e;
    }
  };
}

const SignInChangeFeedBatch = z.array(SignInRecordSchema);

/**
 * The signIns container's change feed: each sign-in log document (helper properties dropped by the
 * schema) is published as a `signIn.recorded` event by the same relay core, at least once, as the
 * audit container's feed is. Its health is not reported on /health (that reports the audit relay).
 */
export function signInChangeFeedHandler(getApp: () => Promise<App>, getBus: () => Promise<EventBus>) {
  const health = new RelayHealth('cosmos-changefeed');
  health.setRunning(true);
  let publisher: Promise<OutboxPublisher> | undefined;
  return async (documents: unknown[]): Promise<void> => {
    const records = inWriteOrder(SignInChangeFeedBatch.parse(documents).map(signInOutboxRecord));
    publisher ??= Promise.all([getApp(), getBus()]).then(
      ([app, bus]) => new OutboxPublisher(bus, app.config.issuer, health),
    );
    await (
      await publisher.catch((e: unknown) => {
        publisher = undefined;
        throw e;
      })
    ).publish(records);
  };
}
