import { Store } from '../../ports/store.port';
import { SqliteAuditRepository } from './audit.sqlite';
import { SqliteConsumedChallengeRepository, SqliteCredentialRepository } from './credentials.sqlite';
import { sqliteChangeSignal } from './changeSignal.sqlite';
import { openSqliteDatabase } from './database';
import { SqliteDirectoryRepository } from './directory.sqlite';
import { SqliteDirectorySyncStateRepository } from './directorySync.sqlite';
import { SqlitePolicyRepository } from './policies.sqlite';
import { SqliteProvisioningJobRepository } from './provisioningJobs.sqlite';
import { SqliteOutboxRepository } from './outbox.sqlite';
import { SqliteWebhookRepository } from './webhooks.sqlite';
import { SqliteStrengthRepository } from './strengths.sqlite';
import { SqliteSignInLogRepository, SqliteSignInOutboxRepository } from './signInLog.sqlite';
import { translateErrors } from '../translateErrors';
import { translateSqliteError } from './storeErrors.sqlite';

/** The embedded store: one SQLite file (or `:memory:`). A busy file surfaces as StoreUnavailableError. */
export function createSqliteStore(file: string): Store {
  const db = openSqliteDatabase(file);
  const t = <T extends object>(repository: T): T => translateErrors(repository, translateSqliteError);
  const { changes, watch } = sqliteChangeSignal(db);
  return {
    kind: 'sqlite',
    changes,
    policies: watch(t(new SqlitePolicyRepository(db))),
    directory: watch(t(new SqliteDirectoryRepository(db))),
    audit: t(new SqliteAuditRepository(db)),
    credentials: t(new SqliteCredentialRepository(db)),
    challenges: t(new SqliteConsumedChallengeRepository(db)),
    provisioningJobs: t(new SqliteProvisioningJobRepository(db)),
    webhooks: t(new SqliteWebhookRepository(db)),
    strengths: t(new SqliteStrengthRepository(db)),
    directorySync: t(new SqliteDirectorySyncStateRepository(db)),
    signInLog: t(new SqliteSignInLogRepository(db)),
    outbox: t(new SqliteOutboxRepository(db)),
    signInOutbox: t(new SqliteSignInOutboxRepository(db)),
    close: async () => {
      db.close();
    },
  };
}
