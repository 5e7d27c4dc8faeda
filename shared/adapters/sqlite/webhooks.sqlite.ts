import type Database from 'better-sqlite3';
import { assertPageSize } from '../pageSize';
import { idTaken } from '../storeConflicts';
import { WebhookDelivery, WebhookRepository, WebhookSubscription } from '../../ports/webhooks.port';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_subscriptions (id TEXT PRIMARY KEY, created_date_time TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, subscription_id TEXT NOT NULL, event_id TEXT NOT NULL,
  status TEXT NOT NULL, at TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_time ON webhook_deliveries (subscription_id, at, seq);
CREATE INDEX IF NOT EXISTS webhook_deliveries_by_event ON webhook_deliveries (subscription_id, event_id, status);
`;

/** Webhook subscriptions and their delivery log over better-sqlite3; creates its own `webhook_*` tables. */
export class SqliteWebhookRepository implements WebhookRepository {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.statements = {
      insertSubscription: db.prepare('INSERT INTO webhook_subscriptions (id, created_date_time, doc) VALUES (?, ?, ?)'),
      getSubscription: db.prepare('SELECT doc FROM webhook_subscriptions WHERE id = ?'),
      listSubscriptions: db.prepare('SELECT doc FROM webhook_subscriptions ORDER BY created_date_time, id'),
      deleteSubscription: db.prepare('DELETE FROM webhook_subscriptions WHERE id = ?'),
      deleteDeliveries: db.prepare('DELETE FROM webhook_deliveries WHERE subscription_id = ?'),
      insertDelivery: db.prepare(
        'INSERT INTO webhook_deliveries (id, subscription_id, event_id, status, at, doc) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      listDeliveries: db.prepare(
        'SELECT doc FROM webhook_deliveries WHERE subscription_id = ? ORDER BY at DESC, seq DESC LIMIT ?',
      ),
      hasDelivered: db.prepare(
        "SELECT 1 FROM webhook_deliveries WHERE subscription_id = ? AND event_id = ? AND status = 'delivered' LIMIT 1",
      ),
    };
  }

  async createSubscription(subscription: WebhookSubscription): Promise<void> {
    const s = this.statements;
    this.db.transaction(() => {
      if (s.getSubscription.get(subscription.id)) throw idTaken(subscription.id);
      s.insertSubscription.run(subscription.id, subscription.createdDateTime, JSON.stringify(subscription));
    })();
  }

  async getSubscription(id: string): Promise<WebhookSubscription | null> {
    const row = this.statements.getSubscription.get(id) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as WebhookSubscription) : null;
  }

  async listSubscriptions(): Promise<WebhookSubscription[]> {
    return (this.statements.listSubscriptions.all() as Array<{ doc: string }>).map(
      (r) => JSON.parse(r.doc) as WebhookSubscription,
    );
  }

  async deleteSubscription(id: string): Promise<boolean> {
    const s = this.statements;
    return this.db.transaction(() => {
      s.deleteDeliveries.run(id);
      return s.deleteSubscription.run(id).changes > 0;
    })();
  }

  async appendDelivery(delivery: WebhookDelivery): Promise<void> {
    this.statements.insertDelivery.run(
      delivery.id,
      delivery.subscriptionId,
      delivery.eventId,
      delivery.status,
      delivery.at,
      JSON.stringify(delivery),
    );
  }

  async listDeliveries(subscriptionId: string, top: number): Promise<WebhookDelivery[]> {
    assertPageSize(top);
    return (this.statements.listDeliveries.all(subscriptionId, top) as Array<{ doc: string }>).map(
      (r) => JSON.parse(r.doc) as WebhookDelivery,
    );
  }

  async hasDelivered(subscriptionId: string, eventId: string): Promise<boolean> {
    return this.statements.hasDelivered.get(subscriptionId, eventId) !== undefined;
  }
}
