import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import { DomainEvent } from '../../ports/eventBus.port';

/** The CloudEvents structured-mode content type: the whole event, attributes and data, is the body. */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/**
 * One event as one Service Bus message. `messageId` is the event id, so the topic's duplicate
 * detection (when enabled) drops a re-publish; `subject` carries the type so subscription rules and
 * the portal can see it without reading the body.
 */
export function toServiceBusMessage(event: DomainEvent): ServiceBusMessage {
  return { messageId: event.id, contentType: CLOUDEVENTS_CONTENT_TYPE, subject: event.type, body: event };
}

/** The event a received message carries, or the reason it carries none (such a message cannot succeed on a retry). */
export function toDomainEvent(message: ServiceBusReceivedMessage): { event: DomainEvent } | { malformed: string } {
  const body = message.body as Partial<DomainEvent> | undefined;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    return { malformed: `Message ${String(message.messageId)} has a ${describe(body)} body, expected a CloudEvents JSON object` };
  }
  const missing = (['id', 'type', 'source', 'time'] as const).filter((field) => typeof body[field] !== 'string');
  if (body.specversion !== '1.0' || missing.length > 0) {
    return {
      malformed: `Message ${String(message.messageId)} is not a CloudEvent 1.0: specversion ${JSON.stringify(body.specversion)}${missing.length ? `, missing ${missing.join(', ')}` : ''}`,
    };
  }
  return { event: body as DomainEvent };
}

const describe = (body: unknown) => (body === null ? 'null' : Buffer.isBuffer(body) ? 'binary' : Array.isArray(body) ? 'array' : typeof body);
