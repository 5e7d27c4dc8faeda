/**
 * An outside endpoint an admin registered to receive domain events. `secret` is the HMAC key of
 * the signatures: it is stored and shown once, in the creation response; never again, not even in part.
 */
export interface WebhookSubscription {
  id: string;
  /** An https URL (http only to loopback or a private network, with WEBHOOK_ALLOW_PRIVATE_NETWORKS). */
  url: string;
  /** Event types delivered: known types (`fido2Policy.updated`, domain/events/eventTypes.ts), prefixes (`fido2Method.*`) or `*` for all. */
  eventTypes: string[];
  secret: string;
  createdDateTime: string;
  createdBy: { id: string | null; userPrincipalName: string | null; appId: string | null };
  enabled: boolean;
}

export type WebhookDeliveryStatus = 'delivered' | 'failed' | 'deadLettered';

/** One attempt to deliver one event to one subscription (the delivery log). */
export interface WebhookDelivery {
  id: string;
  subscriptionId: string;
  eventId: string;
  eventType: string;
  /** The bus delivery count of the event when this attempt was made (1 for the first). */
  attempt: number;
  /** `deadLettered`: the last attempt the bus allows failed too; the event is given up on. */
  status: WebhookDeliveryStatus;
  /** The receiver's HTTP status; null when no response came (network error, timeout). */
  httpStatus: number | null;
  /**
   * Why the attempt failed, as a category (SendFailureCategory, or `httpError 5xx` and the like);
   * never the raw network error, which would show every reader the internal network.
   */
  error: string | null;
  durationMs: number;
  /** ISO 8601, when the attempt finished. */
  at: string;
}

/** Webhook subscriptions and their delivery log. */
export interface WebhookRepository {
  /** Conflict (`Request_BadRequest`) when the id exists. */
  createSubscription(subscription: WebhookSubscription): Promise<void>;
  getSubscription(id: string): Promise<WebhookSubscription | null>;
  /** Every subscription, oldest first. */
  listSubscriptions(): Promise<WebhookSubscription[]>;
  /** Deletes the subscription and its delivery log; false when there was none. */
  deleteSubscription(id: string): Promise<boolean>;
  appendDelivery(delivery: WebhookDelivery): Promise<void>;
  /** A subscription's delivery log, newest first (by `at`), at most `top` rows. */
  listDeliveries(subscriptionId: string, top: number): Promise<WebhookDelivery[]>;
  /** True when an attempt to deliver that event to that subscription succeeded (consumers dedupe on it). */
  hasDelivered(subscriptionId: string, eventId: string): Promise<boolean>;
}
