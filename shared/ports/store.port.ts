import { AuditRepository } from './audit.port';
import { ChangeSignal } from './changes.port';
import { ConsumedChallengeRepository, CredentialRepository } from './credentials.port';
import { DirectoryRepository } from './directory.port';
import { DirectorySyncStateRepository } from './directorySync.port';
import { PolicyRepository } from './policy.port';
import { ProvisioningJobRepository } from './provisioningJobs.port';
import { OutboxRepository } from './outbox.port';
import { WebhookRepository } from './webhooks.port';
import { StrengthRepository } from './strengths.port';
import { SignInLogRepository } from './signInLog.port';
import { RateLimitRepository } from './rateLimit.port';

/** Every repository the services need, from one adapter (sqlite or cosmos). */
export interface Store {
  readonly kind: 'sqlite' | 'cosmos';
  readonly policies: PolicyRepository;
  readonly directory: DirectoryRepository;
  readonly audit: AuditRepository;
  readonly credentials: CredentialRepository;
  readonly challenges: ConsumedChallengeRepository;
  readonly provisioningJobs: ProvisioningJobRepository;
  readonly webhooks: WebhookRepository;
  /** Custom authentication strengths and protected resources. */
  readonly strengths: StrengthRepository;
  /** Where following the Entra tenant stands (DIRECTORY=entra): delta link, subscription. */
  readonly directorySync: DirectorySyncStateRepository;
  /** The sign-in log (auditLogs/signIns), apart from the audit log. */
  readonly signInLog: SignInLogRepository;
  /**
   * The audit log read as an outbox by the local runtime's relay (SQLite: by sequence; Cosmos DB: by
   * `_ts` with an overlap window). On Azure the Cosmos DB change-feed trigger reads it instead.
   */
  readonly outbox?: OutboxRepository;
  /** The sign-in log read as an outbox (`signIn.recorded` events), by its own relay; on Azure, its change feed. */
  readonly signInOutbox?: OutboxRepository;
  /** When the cached directory and policy may have changed (SQLite); absent: do not cache (Cosmos DB). */
  readonly changes?: ChangeSignal;
  /** When a user's set of passkeys may have changed (one added or removed; not a sign count); absent: do not cache. */
  readonly credentialSetChanges?: ChangeSignal;
  /** RATE_LIMIT_PER_MINUTE's buckets, shared by every process on the store (SQLite); absent: each process keeps its own. */
  readonly rateLimits?: RateLimitRepository;
  close(): Promise<void>;
}
