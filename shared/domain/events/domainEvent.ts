import { z } from '../../schemas/zod';
import { EventData, EventDataSchemas, EventType, isEventType } from './eventTypes';

/**
 * A CloudEvents 1.0 envelope as it travels (bus message, webhook body): the type is any string and
 * the data is not yet known. `id` is stable: consumers dedupe on it. Parse it (parseDomainEvent)
 * before acting on it.
 */
export interface EventEnvelope<T extends string = string, D = unknown> {
  specversion: '1.0';
  id: string;
  /** e.g. `fido2Policy.updated`, `fido2Method.registered`, `user.upnChanged`. */
  type: T;
  /** e.g. `/tenants/contoso/passkey-service`. */
  source: string;
  /** The resource the event is about, e.g. `users/{id}` or `policies/fido2`. */
  subject: string;
  /** ISO 8601. */
  time: string;
  datacontenttype: 'application/json';
  data: D;
}

type AnyDomainEvent = { [P in EventType]: EventEnvelope<P, EventData<P>> }[EventType];

/** A declared event: one member per type, its data typed by that type's schema (narrow on `type`). */
export type DomainEvent<K extends EventType = EventType> = Extract<AnyDomainEvent, { type: K }>;

/** The envelope's attributes; the data is checked against its type's schema afterwards. */
export const EventEnvelopeSchema: z.ZodType<EventEnvelope> = z.object({
  specversion: z.literal('1.0'),
  id: z.string().min(1),
  type: z.string().min(1),
  source: z.string(),
  subject: z.string(),
  time: z.string().min(1),
  datacontenttype: z.literal('application/json'),
  data: z.unknown(),
});

/** Why an envelope is not an event this service can act on. */
export interface UnparsableEvent {
  invalid: string;
}

/**
 * Parses an envelope received from outside the process into a declared event: a known type whose
 * data matches that type's schema. Anything else is refused with the reason (never acted on).
 */
export function parseDomainEvent(envelope: unknown): { event: DomainEvent } | UnparsableEvent {
  const parsed = EventEnvelopeSchema.safeParse(envelope);
  if (!parsed.success) return { invalid: `Expected a CloudEvents 1.0 envelope: ${z.prettifyError(parsed.error)}` };
  const { type, id } = parsed.data;
  if (!isEventType(type))
    return { invalid: `Event ${id} has type '${type}', which this service does not declare (eventTypes.ts).` };
  const data = EventDataSchemas[type].safeParse(parsed.data.data);
  if (!data.success)
    return { invalid: `Event ${id} (${type}) has data that does not match its schema: ${z.prettifyError(data.error)}` };
  // The data was parsed by this type's schema: the pairing TypeScript cannot see on its own.
  return { event: { ...parsed.data, type, data: data.data } as DomainEvent };
}
