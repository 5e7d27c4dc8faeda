import { Store } from '../../ports/store.port';
import { SqliteAuditRepository } from './audit.sqlite';
import { SqliteConsumedChallengeRepository, SqliteCredentialRepository } from './credentials.sqlite';
import { ChangeScopes, sqliteChangeSignal } from './changeSignal.sqlite';
import { openSqliteDatabase } from './database';
import { SqliteDirectoryRepository } from './directory.sqlite';
import { SqliteDirectorySyncStateRepository } from './directorySync.sqlite';
import { SqlitePolicyRepository } from './policies.sqlite';
import { SqliteProvisioningJobRepository } from './provisioningJobs.sqlite';
import { SqliteOutboxRepository } from './outbox.sqlite';
import { SqliteWebhookRepository } from './webhooks.sqlite';
import { SqliteStrengthRepository } from './strengths.sqlite';
import { SqliteSignInLogRepository, SqliteSignInOutboxRepository } from './signInLog.sqlite';
import { SqliteRateLimitRepository } from './rateLimit.sqlite';
import { translateErrors } from '../translateErrors';
import { translateSqliteError } from './storeErrors.sqlite';

/** The embedded store: one SQLite file (or `:memory:`). A busy file surfaces as StoreUnavailableError. */
export function createSqliteStore(file: string): Store {
  const db = openSqliteDatabase(file);
  const t = <T extends object>(repository: T): T => translateErrors(repository, translateSqliteError);
  const policies = t(new SqlitePolicyRepository(db));
  const directory = t(new SqliteDirectoryRepository(db));
  const strengths = t(new SqliteStrengthRepository(db));
  const credentials = t(new SqliteCredentialRepository(db));
  // After the repositories made their tables: the change counters are triggers on them.
  const { changes, credentialSetChanges, watch } = sqliteChangeSignal(db);
  const { directoryAndPolicy, credentialSets } = ChangeScopes;
  return {
    kind: 'sqlite',
    changes,
    credentialSetChanges,
    policies: watch(policies),
    // Deleting a user deletes their passkeys too.
    directory: watch(directory, [directoryAndPolicy, credentialSets]),
    audit: t(new SqliteAuditRepository(db)),
    // The sign count a sign-in writes leaves the user's set of passkeys as it is.
    credentials: watch(credentials, [credentialSets], ['update', 'recordSignIn']),
    challenges: t(new SqliteConsumedChallengeRepository(db)),
    provisioningJobs: t(new SqliteProvisioningJobRepository(db)),
    webhooks: t(new SqliteWebhookRepository(db)),
    strengths: watch(strengths),
    directorySync: t(new SqliteDirectorySyncStateRepository(db)),
    signInLog: t(new SqliteSignInLogRepository(db)),
    outbox: t(new SqliteOutboxRepository(db)),
    signInOutbox: t(new SqliteSignInOutboxRepository(db)),
    rateLimits: t(new SqliteRateLimitRepository(db)),
    close: async () => {
      db.close();
    },
  };
}
