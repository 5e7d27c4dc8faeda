import { Container, ContainerDefinition, Database } from '@azure/cosmos';

/**
 * The containers of the passkey store. Partition keys are chosen for point reads on the hot paths:
 * a credential by its id (sign-in), a user by id, the policy by id, a user's group ids in one
 * partition (policy evaluation), a provisioning job's user rows in one partition (claims, counts,
 * listing). `defaultTtl: -1` turns TTL on without a default, so only documents
 * that carry a `ttl` expire (consumed challenges).
 */
export const CONTAINER_DEFINITIONS = {
  policies: { id: 'policies', partitionKey: { paths: ['/id'] } },
  users: { id: 'users', partitionKey: { paths: ['/id'] } },
  /** One document per lower-case UPN: Cosmos unique keys are per partition, this is global. */
  userUpns: { id: 'userUpns', partitionKey: { paths: ['/id'] } },
  groups: { id: 'groups', partitionKey: { paths: ['/id'] } },
  memberships: { id: 'memberships', partitionKey: { paths: ['/userId'] } },
  /** Directory role assignments, partitioned by principal: "the roles of this user" is one partition (the id names the principal too). */
  roleAssignments: { id: 'roleAssignments', partitionKey: { paths: ['/principalId'] } },
  audit: { id: 'audit', partitionKey: { paths: ['/id'] } },
  credentials: { id: 'credentials', partitionKey: { paths: ['/id'] } },
  consumedChallenges: { id: 'consumedChallenges', partitionKey: { paths: ['/id'] }, defaultTtl: -1 },
  provisioningJobs: { id: 'provisioningJobs', partitionKey: { paths: ['/id'] } },
  /** One document per user of a job (id = user id), partitioned by job so every per-job query is single-partition. */
  provisioningJobUsers: { id: 'provisioningJobUsers', partitionKey: { paths: ['/jobId'] } },
  webhookSubscriptions: { id: 'webhookSubscriptions', partitionKey: { paths: ['/id'] } },
  /** A subscription's delivery log in one partition: the log, the already-delivered check and the clean-up on delete. */
  webhookDeliveries: { id: 'webhookDeliveries', partitionKey: { paths: ['/subscriptionId'] } },
  /** Custom authentication strengths (at most 15), by id. */
  authenticationStrengths: { id: 'authenticationStrengths', partitionKey: { paths: ['/id'] } },
  /** Resources that require a strength; id = base64url of the resource name (sign-in: one point read). */
  protectedResources: { id: 'protectedResources', partitionKey: { paths: ['/id'] } },
  /** The sign-in log; every document carries a `ttl` (SIGNIN_LOG_RETENTION_DAYS). */
  signIns: { id: 'signIns', partitionKey: { paths: ['/id'] }, defaultTtl: -1 },
  /**
   * Per-AAGUID markers for the inventory (cosmosdb-server has no GROUP BY or DISTINCT): in the
   * AAGUID's partition, `model` (the AAGUID is in use) and `user-<userId>` (that user holds one).
   */
  aaguidUsers: { id: 'aaguidUsers', partitionKey: { paths: ['/aaGuid'] } },
  /** The service's own bookkeeping, one document each: the local outbox relay's cursor. */
  meta: { id: 'meta', partitionKey: { paths: ['/id'] } },
} satisfies Record<string, ContainerDefinition>;

/** One SDK handle per container, by the names above. */
export type StoreContainers = { [K in keyof typeof CONTAINER_DEFINITIONS]: Container };

/** Creates the containers that are missing (existing ones are left as they are) and returns them. */
export async function ensureContainers(database: Database): Promise<StoreContainers> {
  const entries = await Promise.all(
    Object.entries(CONTAINER_DEFINITIONS).map(async ([name, definition]) => {
      const { container } = await database.containers.createIfNotExists(definition);
      return [name, container] as const;
    }),
  );
  return Object.fromEntries(entries) as StoreContainers;
}
