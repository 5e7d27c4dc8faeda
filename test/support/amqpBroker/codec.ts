import { randomBytes, randomUUID } from 'node:crypto';
import type { Message } from 'rhea';
import rhea = require('rhea');

const { message: amqpMessage, types } = rhea;

/** The message format Service Bus uses for a batch: the body's data sections are whole encoded messages. */
export const BATCH_MESSAGE_FORMAT = 0x80013700;

/** A message as rhea decodes it: properties and header fields flattened, body as sent (a data Section for the SDK). */
export type AmqpMessageFields = Message;

/** One message held by an entity (a subscription or its dead-letter queue). */
export interface StoredMessage {
  sequenceNumber: number;
  enqueuedTime: number;
  /** Deliveries made so far (lock acquisitions), counted across abandons. */
  deliveries: number;
  fields: AmqpMessageFields;
}

/**
 * The messages of one transfer. A single send arrives decoded (format 0); a batch arrives as raw bytes
 * in format 0x80013700, an envelope whose data sections are each an encoded message.
 */
export function messagesOfTransfer(received: unknown, format: number | undefined): AmqpMessageFields[] {
  if (!format) return [received as AmqpMessageFields];
  if (format !== BATCH_MESSAGE_FORMAT || !Buffer.isBuffer(received)) {
    throw new Error(
      `Unexpected message format 0x${(format >>> 0).toString(16)}, expected 0 or 0x${BATCH_MESSAGE_FORMAT.toString(16)}`,
    );
  }
  const envelope = amqpMessage.decode(received);
  const body = envelope.body as { typecode?: number; content?: Buffer | Buffer[]; multiple?: boolean } | undefined;
  if (!body || body.typecode !== 0x75 || body.content === undefined) {
    throw new Error('A batch envelope must carry its messages as data sections');
  }
  const sections = body.multiple ? (body.content as Buffer[]) : [body.content as Buffer];
  // rhea's decode is typed loosely (any field, no body); what it answers is a whole Message.
  return sections.map((section) => ({ ...amqpMessage.decode(section) }) as unknown as AmqpMessageFields);
}

/** Gives a message without an id one, as Service Bus does. */
export function withMessageId(fields: AmqpMessageFields): AmqpMessageFields {
  return fields.message_id === undefined || fields.message_id === null
    ? { ...fields, message_id: randomUUID().replace(/-/g, '') }
    : fields;
}

/**
 * The message as a receiver sees it: the header's delivery-count is the number of earlier deliveries
 * (AMQP's definition, and what the JS SDK reports as deliveryCount), the broker's annotations added.
 */
export function outgoingMessage(stored: StoredMessage, deliveryCount: number, lockedUntil?: number): AmqpMessageFields {
  const annotations: Record<string, unknown> = {
    ...stored.fields.message_annotations,
    'x-opt-sequence-number': types.wrap_long(stored.sequenceNumber),
    'x-opt-enqueued-time': types.wrap_timestamp(stored.enqueuedTime),
  };
  if (lockedUntil !== undefined) annotations['x-opt-locked-until'] = types.wrap_timestamp(lockedUntil);
  return { ...stored.fields, delivery_count: deliveryCount, message_annotations: annotations };
}

/** A lock token is the 16-byte delivery tag. */
export const newLockToken = (): Buffer => randomBytes(16);

/**
 * The SDK shows a lock token as a .NET-ordered GUID (the first three groups byte-swapped) and sends that
 * GUID's bytes back in management requests; swapping again yields the delivery tag. The swap is its own inverse.
 */
export function dotNetGuidBytes(bytes: Buffer): Buffer {
  const b = Buffer.from(bytes);
  return Buffer.from([b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6], ...b.subarray(8)]);
}
