import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import { z } from '../../schemas/zod';
import { EventEnvelope } from '../../ports/eventBus.port';

/** The CloudEvents structured-mode content type: the whole event, attributes and data, is the body. */
export const CLOUDEVENTS_CONTENT_TYPE = 'application/cloudevents+json';

/**
 * One event as one Service Bus message. `messageId` is the event id, so the topic's duplicate
 * detection (when enabled) drops a re-publish; `subject` carries the type so subscription rules and
 * the portal can see it without reading the body.
 */
export function toServiceBusMessage(event: EventEnvelope): ServiceBusMessage {
  return { messageId: event.id, contentType: CLOUDEVENTS_CONTENT_TYPE, subject: event.type, body: event };
}

/** The event a received message carries, or the reason it carries none (such a message cannot succeed on a retry). */
export function toDomainEvent(message: ServiceBusReceivedMessage): { event: EventEnvelope } | { malformed: string } {
  const body: unknown = message.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || Buffer.isBuffer(body)) {
    return {
      malformed: `Message ${String(message.messageId)} has a ${describe(body)} body, expected a CloudEvents JSON object`,
    };
  }
  const parsed = ReceivedEnvelope.safeParse(body);
  if (!parsed.success) {
    const specversion = (body as { specversion?: unknown }).specversion;
    const missing = parsed.error.issues
      .filter((i) => i.path.length === 1 && i.path[0] !== 'specversion')
      .map((i) => String(i.path[0]));
    return {
      malformed: `Message ${String(message.messageId)} is not a CloudEvent 1.0: specversion ${JSON.stringify(specversion)}${missing.length ? `, missing ${missing.join(', ')}` : ''}`,
    };
  }
  return { event: parsed.data };
}

/**
 * The attributes a received message must carry to be an event (as before: id, type, source, time);
 * the consumer parses the data by its type. Others default as we publish them.
 */
const ReceivedEnvelope: z.ZodType<EventEnvelope> = z.object({
  specversion: z.literal('1.0'),
  id: z.string(),
  type: z.string(),
  source: z.string(),
  time: z.string(),
  subject: z.string().default(''),
  datacontenttype: z.literal('application/json').default('application/json'),
  data: z.unknown(),
});

const describe = (body: unknown) =>
  body === null ? 'null' : Buffer.isBuffer(body) ? 'binary' : Array.isArray(body) ? 'array' : typeof body;
