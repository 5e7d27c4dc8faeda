import { randomBytes, randomUUID } from 'node:crypto';
import { Actor, createdByOf } from '../../domain/auth/actor';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { matchesEventType } from '../../domain/events/matchesEventType';
import {
  EventTypes,
  isKnownEventTypePattern,
  KNOWN_EVENT_TYPE_PREFIXES,
  KNOWN_EVENT_TYPES,
  knownPatternLike,
} from '../../domain/events/eventTypes';
import { describeRefusal } from '../../domain/network/destinationRefusal';
import { webhookHeaders } from '../../domain/events/webhookSignature';
import { Clock } from '../../ports/clock.port';
import { AuditRepository } from '../../ports/audit.port';
import { auditRecord } from '../../domain/auditRecords';
import { DomainEvent } from '../../ports/eventBus.port';
import { HttpSender, HttpSendError, SendFailureCategory } from '../../ports/httpSender.port';
import {
  WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookRepository,
  WebhookSubscription,
} from '../../ports/webhooks.port';

/** A receiver has this long to answer one delivery. */
export const WEBHOOK_TIMEOUT_MS = 5_000;
export const MIN_SECRET_LENGTH = 16;
/** Every event fans out to every subscription in parallel: keep the fan-out bounded. */
export const MAX_SUBSCRIPTIONS = 100;

export interface NewWebhookSubscription {
  url: string;
  eventTypes: string[];
  /** The HMAC key; generated when absent. */
  secret?: string;
}

/** Which bus delivery of the event this is. */
export interface DeliveryAttempt {
  /** The bus delivery count (1 for the first). */
  attempt: number;
  /** The bus dead-letters the event if this attempt fails. */
  lastAttempt: boolean;
}

/**
 * What the delivery log says went wrong: a category, never the raw network error, since every
 * policy reader sees the log and raw errors (addresses, ports, resolver text) map the internal network.
 */
export type DeliveryErrorCategory = SendFailureCategory | `httpError ${number}xx`;

const subscriptionMissing = (id: string) =>
  new DomainError(ErrorCodes.webhookSubscriptionNotFound, `No webhook subscription with id '${id}'.`);

/** Only http(s) endpoints, and no credentials in the URL: every policy reader can see the URL. */
function assertDeliverableUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DomainError(
      ErrorCodes.invalidWebhookUrl,
      `The webhook url '${value}' is not an absolute URL; expected one such as 'https://example.com/hooks'.`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DomainError(
      ErrorCodes.invalidWebhookUrl,
      `The webhook url has scheme '${url.protocol.slice(0, -1)}'; expected 'https' or 'http'.`,
    );
  }
  if (url.username || url.password) {
    throw new DomainError(
      ErrorCodes.invalidWebhookUrl,
      'The webhook url carries credentials; expected none (the receiver authenticates deliveries by their signature).',
    );
  }
}

/** Unknown event types never match any event: refused, naming the known ones (and the likely intended one). */
function assertKnownEventTypes(patterns: readonly string[]): void {
  if (patterns.length === 0)
    throw new DomainError(
      ErrorCodes.invalidEventTypes,
      "The subscription has no event types; expected at least one, or '*' for all.",
    );
  const unknown = patterns.filter((p) => !isKnownEventTypePattern(p));
  if (unknown.length === 0) return;
  const named = unknown.map((p) => {
    const like = knownPatternLike(p);
    return like ? `'${p}' (did you mean '${like}'?)` : `'${p}'`;
  });
  throw new DomainError(
    ErrorCodes.invalidEventTypes,
    `The event type${unknown.length > 1 ? 's' : ''} ${named.join(', ')} ${unknown.length > 1 ? 'are' : 'is'} not published by this service (types are case-sensitive); ` +
      `expected '*', a prefix (${KNOWN_EVENT_TYPE_PREFIXES.join(', ')}) or one of: ${KNOWN_EVENT_TYPES.join(', ')}.`,
  );
}

/**
 * Webhooks: admins register outside endpoints for event types; every matching event is POSTed to
 * them as a CloudEvent (structured mode), signed as Standard Webhooks does (domain/events/webhookSignature.ts).
 * Retries are the bus's: `deliver` throws when a receiver failed, the bus redelivers with backoff and
 * dead-letters after its last attempt; receivers that already have the event are skipped.
 */
export class WebhookService {
  constructor(
    private readonly deps: { webhooks: WebhookRepository; sender: HttpSender; clock: Clock; audit?: AuditRepository },
  ) {}

  /** Registering or removing an outside endpoint is security-relevant: it is audited (never with the secret). */
  private async record(verb: 'Add' | 'Delete', subscription: WebhookSubscription, actor: Actor): Promise<void> {
    const view = {
      id: subscription.id,
      url: subscription.url,
      eventTypes: subscription.eventTypes,
      enabled: subscription.enabled,
    };
    await this.deps.audit?.append(
      auditRecord({
        id: randomUUID(),
        at: this.deps.clock.now(),
        actor,
        category: 'ApplicationManagement',
        activityDisplayName: `${verb} webhook subscription`,
        eventType: verb === 'Add' ? EventTypes.webhookSubscriptionCreated : EventTypes.webhookSubscriptionDeleted,
        operationType: verb,
        target: { id: subscription.id, displayName: subscription.url, type: 'WebhookSubscription' },
        before: verb === 'Delete' ? view : null,
        after: verb === 'Add' ? view : null,
      }),
    );
  }

  /** Creates a subscription; the secret is in the answer and nowhere else afterwards. */
  async create(
    request: NewWebhookSubscription,
    actor: Actor,
  ): Promise<{ subscription: WebhookSubscription; secret: string }> {
    assertDeliverableUrl(request.url);
    assertKnownEventTypes(request.eventTypes);
    const secret = request.secret ?? randomBytes(32).toString('base64url');
    if (secret.length < MIN_SECRET_LENGTH) {
      throw new DomainError(
        ErrorCodes.webhookSecretTooShort,
        `The secret has ${secret.length} characters; expected at least ${MIN_SECRET_LENGTH} (or none, to have one generated).`,
      );
    }
    const existing = await this.deps.webhooks.listSubscriptions();
    if (existing.length >= MAX_SUBSCRIPTIONS) {
      throw new DomainError(
        ErrorCodes.tooManyWebhookSubscriptions,
        `There are already ${existing.length} webhook subscriptions; at most ${MAX_SUBSCRIPTIONS} are allowed. Delete one first.`,
      );
    }
    // Checked now for a clear 400, and again at every delivery (DNS answers change).
    const refusal = await this.deps.sender.checkDestination(request.url);
    if (refusal)
      throw new DomainError(
        ErrorCodes.webhookDestinationRefused,
        describeRefusal(new URL(request.url).hostname, refusal),
      );
    const subscription: WebhookSubscription = {
      id: randomUUID(),
      url: request.url,
      eventTypes: [...new Set(request.eventTypes)],
      secret,
      createdDateTime: this.deps.clock.now().toISOString(),
      createdBy: createdByOf(actor),
      enabled: true,
    };
    await this.deps.webhooks.createSubscription(subscription);
    await this.record('Add', subscription, actor);
    return { subscription, secret };
  }

  list(): Promise<WebhookSubscription[]> {
    return this.deps.webhooks.listSubscriptions();
  }

  async get(id: string): Promise<WebhookSubscription> {
    const subscription = await this.deps.webhooks.getSubscription(id);
    if (!subscription) throw subscriptionMissing(id);
    return subscription;
  }

  async delete(id: string, actor: Actor): Promise<void> {
    const subscription = await this.deps.webhooks.getSubscription(id);
    if (!subscription || !(await this.deps.webhooks.deleteSubscription(id))) throw subscriptionMissing(id);
    await this.record('Delete', subscription, actor);
  }

  /** The delivery log of a subscription, newest first. */
  async deliveries(id: string, top: number): Promise<WebhookDelivery[]> {
    await this.get(id);
    return this.deps.webhooks.listDeliveries(id, top);
  }

  /**
   * Delivers the event to every enabled subscription that takes its type and does not have it yet,
   * in parallel, recording each attempt. Throws after recording when any receiver failed, so the bus
   * redelivers; on the bus's last attempt a failure is recorded as `deadLettered`.
   */
  async deliver(event: DomainEvent, delivery: DeliveryAttempt): Promise<{ delivered: number; skipped: number }> {
    const subscriptions = (await this.deps.webhooks.listSubscriptions()).filter(
      (s) => s.enabled && matchesEventType(s.eventTypes, event.type),
    );
    const already = await Promise.all(subscriptions.map((s) => this.deps.webhooks.hasDelivered(s.id, event.id)));
    const pending = subscriptions.filter((_, i) => !already[i]);
    const body = JSON.stringify(event);
    const timestamp = Math.floor(this.deps.clock.now().getTime() / 1000);
    const results = await Promise.all(pending.map((s) => this.attempt(s, event, body, timestamp, delivery)));
    const failed = results.filter((r) => r.status !== 'delivered');
    if (failed.length > 0) {
      const reasons = failed.map((r) => `${r.subscriptionId}: ${r.error}`).join('; ');
      throw new Error(
        `Webhook delivery of event ${event.id} (${event.type}) failed for ${failed.length} of ${pending.length} subscription(s), attempt ${delivery.attempt}: ${reasons}`,
      );
    }
    return { delivered: results.length, skipped: subscriptions.length - pending.length };
  }

  /** One POST to one receiver, recorded whatever happens. */
  private async attempt(
    subscription: WebhookSubscription,
    event: DomainEvent,
    body: string,
    timestamp: number,
    delivery: DeliveryAttempt,
  ): Promise<WebhookDelivery> {
    const started = performance.now();
    let httpStatus: number | null = null;
    let error: DeliveryErrorCategory | null = null;
    try {
      ({ status: httpStatus } = await this.deps.sender.send({
        url: subscription.url,
        method: 'POST',
        headers: {
          'content-type': 'application/cloudevents+json',
          'user-agent': 'passkey-service-webhooks/1',
          ...webhookHeaders({ secret: subscription.secret, id: event.id, timestamp, body }),
        },
        body,
        timeoutMs: WEBHOOK_TIMEOUT_MS,
      }));
      // Redirects are not followed: a 3xx is a failure like any other non-2xx answer.
      if (httpStatus < 200 || httpStatus > 299) error = `httpError ${Math.floor(httpStatus / 100)}xx`;
    } catch (e) {
      error = e instanceof HttpSendError ? e.category : 'connectionFailed';
    }
    const status: WebhookDeliveryStatus =
      error === null ? 'delivered' : delivery.lastAttempt ? 'deadLettered' : 'failed';
    const record: WebhookDelivery = {
      id: randomUUID(),
      subscriptionId: subscription.id,
      eventId: event.id,
      eventType: event.type,
      attempt: delivery.attempt,
      status,
      httpStatus,
      error,
      durationMs: Math.round(performance.now() - started),
      at: this.deps.clock.now().toISOString(),
    };
    await this.deps.webhooks.appendDelivery(record);
    return record;
  }
}
