import { Container } from '@azure/cosmos';
import { WebhookDelivery, WebhookRepository, WebhookSubscription } from '../../ports/webhooks.port';
import {
  assertPageSize,
  CosmosDocument,
  deleteDocument,
  deletePartition,
  isStatus,
  queryAll,
  readDocument,
  toDomainValue,
} from './documents.cosmos';
import { idTaken } from './storeErrors.cosmos';

/** Oldest first, then by id, as the SQLite store orders them. */
const byCreation = (a: WebhookSubscription, b: WebhookSubscription) =>
  a.createdDateTime < b.createdDateTime
    ? -1
    : a.createdDateTime > b.createdDateTime
      ? 1
      : a.id < b.id
        ? -1
        : a.id > b.id
          ? 1
          : 0;

/**
 * Webhook subscriptions (`webhookSubscriptions`, partitioned by id; few, so listing them is one small
 * cross-partition read) and their delivery log (`webhookDeliveries`, partitioned by subscription id,
 * so the log, the idempotency check and the clean-up on delete are single-partition).
 */
export class CosmosWebhookRepository implements WebhookRepository {
  constructor(
    private readonly subscriptions: Container,
    private readonly deliveries: Container,
  ) {}

  async createSubscription(subscription: WebhookSubscription): Promise<void> {
    try {
      await this.subscriptions.items.create({ ...subscription });
    } catch (e) {
      if (isStatus(e, 409)) throw idTaken(subscription.id);
      throw e;
    }
  }

  async getSubscription(id: string): Promise<WebhookSubscription | null> {
    const doc = await readDocument(this.subscriptions, id);
    return doc ? toDomainValue<WebhookSubscription>(doc) : null;
  }

  async listSubscriptions(): Promise<WebhookSubscription[]> {
    const docs = await queryAll<CosmosDocument>(this.subscriptions, 'SELECT * FROM c');
    return docs.map((d) => toDomainValue<WebhookSubscription>(d)).sort(byCreation);
  }

  /** The subscription first (deliveries stop at once), then its log; a crash in between leaves only log rows, removed by a retry. */
  async deleteSubscription(id: string): Promise<boolean> {
    const existed = await deleteDocument(this.subscriptions, id);
    await deletePartition(this.deliveries, 'subscriptionId', id);
    return existed;
  }

  async appendDelivery(delivery: WebhookDelivery): Promise<void> {
    await this.deliveries.items.create({ ...delivery });
  }

  async listDeliveries(subscriptionId: string, top: number): Promise<WebhookDelivery[]> {
    assertPageSize(top);
    const docs = await queryAll<CosmosDocument>(
      this.deliveries,
      'SELECT TOP @top * FROM c WHERE c.subscriptionId = @s ORDER BY c.at DESC',
      [
        { name: '@top', value: top },
        { name: '@s', value: subscriptionId },
      ],
      subscriptionId,
    );
    return docs.map((d) => toDomainValue<WebhookDelivery>(d));
  }

  async hasDelivered(subscriptionId: string, eventId: string): Promise<boolean> {
    const rows = await queryAll<{ id: string }>(
      this.deliveries,
      "SELECT TOP 1 c.id FROM c WHERE c.subscriptionId = @s AND c.eventId = @e AND c.status = 'delivered'",
      [
        { name: '@s', value: subscriptionId },
        { name: '@e', value: eventId },
      ],
      subscriptionId,
    );
    return rows.length > 0;
  }
}
