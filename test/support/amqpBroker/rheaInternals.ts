import type { Delivery, EventContext, Receiver, Sender } from 'rhea';
import rhea = require('rhea');

// rhea's typings leave out what a broker (rather than a client) touches: the attach frames of a link,
// the outcome constructors and the raw transfer format. These views name those parts, typed, in one place.

/** The fields of an attach frame the broker reads or answers. */
export interface AttachFrame {
  source?: { address?: string };
  target?: { address?: string };
  max_message_size?: number;
  snd_settle_mode?: number;
  rcv_settle_mode?: number;
}

/** A link's local and remote attach frames, and the setters rhea offers for the termini. */
export interface LinkInternals {
  local: { attach: AttachFrame };
  remote: { attach: AttachFrame };
  set_source(source: { address?: string }): void;
  set_target(target: { address?: string }): void;
  connection: { _register(): void };
}

/** A link as the broker sees it (rhea's typings declare neither its attach frames nor its termini setters). */
export const linkInternals = (link: Sender | Receiver): LinkInternals => link as unknown as LinkInternals;

/** An AMQP delivery outcome, ready to settle a delivery with. */
type DescribedOutcome = Parameters<Delivery['update']>[1];
interface Outcome {
  described(): DescribedOutcome;
}

/** rhea's outcome constructors (`rhea.message.accepted()`, `.rejected({ error })`), undeclared in its typings. */
interface OutcomeConstructors {
  accepted(): Outcome;
  rejected(fields: { error: { condition: string; description: string } }): Outcome;
}

const outcomes = rhea.message as unknown as OutcomeConstructors;

export const acceptedOutcome = (): DescribedOutcome => outcomes.accepted().described();

export const rejectedOutcome = (condition: string, description: string): DescribedOutcome =>
  outcomes.rejected({ error: { condition, description } }).described();

/** The message format of a transfer (0 for one message, 0x80013700 for a Service Bus batch), undeclared on EventContext. */
export const transferFormatOf = (context: EventContext): number | undefined =>
  (context as EventContext & { format?: number }).format;

/** A delivery's remote state, as the settlement outcomes carry it. */
export interface RemoteState {
  undeliverable_here?: boolean;
  delivery_failed?: boolean;
  message_annotations?: Record<string, unknown>;
  error?: { condition?: string; description?: string; info?: Record<string, unknown> };
}

export const remoteStateOf = (delivery: Delivery): RemoteState | undefined =>
  delivery.remote_state as RemoteState | undefined;
