import { AuditRepository } from './audit.port';
import { ConsumedChallengeRepository, CredentialRepository } from './credentials.port';
import { DirectoryRepository } from './directory.port';
import { PolicyRepository } from './policy.port';
import { ProvisioningJobRepository } from './provisioningJobs.port';
import { OutboxRepository } from './outbox.port';
import { WebhookRepository } from './webhooks.port';

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
  /** The audit log read as an outbox, where the store supports ordered reads (SQLite); on Cosmos DB the change feed plays this role. */
  readonly outbox?: OutboxRepository;
  close(): Promise<void>;
}
