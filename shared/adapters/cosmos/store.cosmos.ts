import type { TokenCredential } from '@azure/core-auth';
import { ConnectionPolicy, CosmosClient } from '@azure/cosmos';
import type { Agent } from 'node:http';
import { Store } from '../../ports/store.port';
import { CosmosAuditRepository } from './audit.cosmos';
import { CosmosConsumedChallengeRepository } from './challenges.cosmos';
import { cosmosAuth } from './cosmosAuth';
import { ensureContainers } from './containers.cosmos';
import { CosmosCredentialRepository } from './credentials.cosmos';
import { CosmosDirectoryRepository } from './directory.cosmos';
import { CosmosOutboxRepository } from './outbox.cosmos';
import { CosmosDirectorySyncStateRepository } from './directorySync.cosmos';
import { CosmosPolicyRepository } from './policies.cosmos';
import { CosmosProvisioningJobRepository } from './provisioningJobs.cosmos';
import { CosmosWebhookRepository } from './webhooks.cosmos';
import { CosmosStrengthRepository } from './strengths.cosmos';
import { CosmosSignInLogRepository, signInOutboxRecordOf } from './signInLog.cosmos';
import { translateErrors } from '../translateErrors';
import { translateCosmosError } from './storeErrors.cosmos';

/** Where the store lives and how to reach it. */
export interface CosmosStoreOptions {
  endpoint: string;
  /** The account key; without one, `credential` signs in (an account with local auth off accepts only that). */
  key?: string;
  /** An Entra credential, e.g. DefaultAzureCredential (the Function App's managed identity). */
  credential?: TokenCredential;
  databaseId: string;
  /**
   * For an https test server with a self-signed certificate, e.g.
   * `new https.Agent({ rejectUnauthorized: false, keepAlive: true })`. Leave it unset for an
   * `http://` endpoint: the SDK then uses its own keep-alive agent and allows plain HTTP, which it
   * refuses with a custom agent.
   */
  agent?: Agent;
  /** E.g. `{ enableEndpointDiscovery: false }` for a local server that is not a geo-replicated account. */
  connectionPolicy?: Partial<ConnectionPolicy>;
  /**
   * Age after which a UPN reservation whose user does not hold that UPN counts as left over from a
   * crashed write and may be reclaimed. Default 300 s: far longer than any one write takes.
   */
  staleUpnReservationSeconds?: number;
  /** SIGNIN_LOG_RETENTION_DAYS: the `ttl` of sign-in log documents (default 30 days). */
  signInLogRetentionDays?: number;
}

const DEFAULT_STALE_UPN_RESERVATION_SECONDS = 300;
const DEFAULT_SIGNIN_LOG_RETENTION_DAYS = 30;

/** A local endpoint has no other regions to discover; discovery would redirect to the account's advertised host. */
const isLocal = (endpoint: string) => /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?(\/|$)/i.test(endpoint);

/**
 * The production store on Azure Cosmos DB. Creates the database and the containers that are missing
 * (see containers.cosmos.ts for their partition keys), then serves every repository from them.
 */
export async function createCosmosStore(options: CosmosStoreOptions): Promise<Store> {
  const client = new CosmosClient({
    endpoint: options.endpoint,
    ...cosmosAuth(options),
    ...(options.agent ? { agent: options.agent } : {}),
    connectionPolicy: {
      ...(isLocal(options.endpoint) ? { enableEndpointDiscovery: false } : {}),
      ...options.connectionPolicy,
    },
  });
  try {
    const { database } = await client.databases.createIfNotExists({ id: options.databaseId });
    const containers = await ensureContainers(database);
    // Throttling, 503 and timeouts reach the services as StoreUnavailableError (storeErrors.cosmos.ts).
    const t = <T extends object>(repository: T): T => translateErrors(repository, translateCosmosError);
    return {
      kind: 'cosmos',
      policies: t(new CosmosPolicyRepository(containers.policies, containers.audit)),
      directory: t(
        new CosmosDirectoryRepository(containers, {
          staleUpnReservationSeconds: options.staleUpnReservationSeconds ?? DEFAULT_STALE_UPN_RESERVATION_SECONDS,
        }),
      ),
      audit: t(new CosmosAuditRepository(containers.audit)),
      credentials: t(
        new CosmosCredentialRepository(
          containers.credentials,
          containers.audit,
          containers.aaguidUsers,
          new CosmosConsumedChallengeRepository(containers.consumedChallenges),
        ),
      ),
      challenges: t(new CosmosConsumedChallengeRepository(containers.consumedChallenges)),
      provisioningJobs: t(
        new CosmosProvisioningJobRepository(containers.provisioningJobs, containers.provisioningJobUsers),
      ),
      webhooks: t(new CosmosWebhookRepository(containers.webhookSubscriptions, containers.webhookDeliveries)),
      strengths: t(
        new CosmosStrengthRepository(
          containers.authenticationStrengths,
          containers.protectedResources,
          containers.audit,
        ),
      ),
      signInLog: t(
        new CosmosSignInLogRepository(
          containers.signIns,
          (options.signInLogRetentionDays ?? DEFAULT_SIGNIN_LOG_RETENTION_DAYS) * 24 * 60 * 60,
        ),
      ),
      outbox: new CosmosOutboxRepository(containers.audit, containers.meta),
      directorySync: t(new CosmosDirectorySyncStateRepository(containers.meta)),
      signInOutbox: new CosmosOutboxRepository(containers.signIns, containers.meta, signInOutboxRecordOf),
      close: async () => client.dispose(),
    };
  } catch (e) {
    client.dispose();
    throw new Error(
      `Could not open the Cosmos DB store (database '${options.databaseId}' at ${options.endpoint}): ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
}
