import { Store } from '../../ports/store.port';
import { SqliteAuditRepository } from './audit.sqlite';
import { SqliteConsumedChallengeRepository, SqliteCredentialRepository } from './credentials.sqlite';
import { openSqliteDatabase } from './database';
import { SqliteDirectoryRepository } from './directory.sqlite';
import { SqlitePolicyRepository } from './policies.sqlite';
import { SqliteProvisioningJobRepository } from './provisioningJobs.sqlite';
import { SqliteOutboxRepository } from './outbox.sqlite';
import { SqliteWebhookRepository } from './webhooks.sqlite';

/** The embedded store: one SQLite file (or `:memory:`). */
export function createSqliteStore(file: string): Store {
  const db = openSqliteDatabase(file);
  return {
    kind: 'sqlite',
    policies: new SqlitePolicyRepository(db),
    directory: new SqliteDirectoryRepository(db),
    audit: new SqliteAuditRepository(db),
    credentials: new SqliteCredentialRepository(db),
    challenges: new SqliteConsumedChallengeRepository(db),
    provisioningJobs: new SqliteProvisioningJobRepository(db),
    webhooks: new SqliteWebhookRepository(db),
    outbox: new SqliteOutboxRepository(db),
    close: async () => {
      db.close();
    },
  };
}
