import { ALL_JOB_USER_STATES, assertRowsOfJob } from '../../domain/provisioning/jobRows';
import { Container, SqlParameter } from '@azure/cosmos';
import { ConcurrencyConflictError } from '../../domain/errors';
import {
  JobCreateResult,
  JobCursor,
  JobStatus,
  JobUserCounts,
  JobUserState,
  ProvisioningJob,
  ProvisioningJobRepository,
  ProvisioningJobUser,
} from '../../ports/provisioningJobs.port';
import {
  assertPageSize,
  CosmosDocument,
  deletePartition,
  etagOf,
  isStatus,
  queryAll,
  readDocument,
  toDomainValue,
  whereClause,
} from './documents.cosmos';
import { idempotencyKeyInProgress, idempotencyKeyReused, idTaken } from './storeErrors.cosmos';

/** Row writes in flight at once while creating a job: quick for 10,000 users, few enough not to be throttled. */
const ROW_WRITE_CONCURRENCY = 20;

/** Re-reads after a 412 before giving up: each 412 means another writer changed the document meanwhile. */
const REPLACE_ATTEMPTS = 5;

/** Ready rows a claim tries per query: a 412 on one means another station took it, so try the next. */
const CLAIM_CANDIDATES = 5;

/** Queries a claim makes before giving up; every lost round means other stations claimed rows meanwhile. */
const CLAIM_ROUNDS = 20;

type UserChanges = Parameters<ProvisioningJobRepository['transition']>[4];

/** The row fields `transition` may change (a fixed list, so no other property of `changes` is ever written). */
const CHANGE_FIELDS = [
  'reason',
  'creationOptions',
  'challengeExpiresDateTime',
  'claimedBy',
  'methodId',
  'updatedDateTime',
] as const satisfies ReadonlyArray<keyof UserChanges>;

/** A row document is the row plus `id` = userId (unique within the job's partition). */
const USER_HELPER_FIELDS = ['id'] as const;

/** Newest first needs one sortable property: creation time, then id for jobs of the same instant. */
const SORT_KEY = 'sortKey';
const sortKeyOf = (cursor: JobCursor) => `${cursor.createdDateTime}|${cursor.id}`;
const jobDocument = (job: ProvisioningJob) => ({ ...job, [SORT_KEY]: sortKeyOf(job) });
const toJob = (doc: CosmosDocument) => toDomainValue<ProvisioningJob>(doc, [SORT_KEY]);

/**
 * The marker that holds an idempotency key, in the jobs container (its own partition, as its id is
 * not a GUID): created with create-if-absent semantics, so of two creates with the same key one wins.
 */
interface KeyMarker {
  id: string;
  jobId: string;
  requestFingerprint: string | null;
  /** When the holder started writing; a holder whose job document is still missing after {@link TAKEOVER_AFTER_MS} crashed. */
  claimedDateTime: string;
}
const markerId = (key: string) => `idempotencyKey:${key}`;

/** How long a key's first writer has to write its rows and job document before a retry takes the key over. */
const TAKEOVER_AFTER_MS = 2 * 60_000;

const toUser = (doc: CosmosDocument) => toDomainValue<ProvisioningJobUser>(doc, USER_HELPER_FIELDS);
const userDocument = (user: ProvisioningJobUser) => ({ id: user.userId, ...user });

/**
 * Bulk provisioning jobs: one document per job in `provisioningJobs` (partitioned by id) and one per
 * user row in `provisioningJobUsers`, partitioned by job id so every per-job query is single-partition.
 * Row moves are read-then-replace If-Match: of two writers that read the same row, one gets 412 and
 * re-reads, so a user is never claimed or finished twice.
 */
export class CosmosProvisioningJobRepository implements ProvisioningJobRepository {
  constructor(
    private readonly jobs: Container,
    private readonly users: Container,
  ) {}

  /**
   * Rows first, the job document last: a job is never visible without all its rows. Rows are upserted,
   * so a create retried after a crash completes; that is safe only because no job document (hence no
   * orchestration or station) uses them yet, which is checked first.
   *
   * With an idempotency key, a key marker is created first (409 when it exists: no transactional batch
   * here, so create-if-absent is the guarantee). The marker's job id is the job's: a repeat finds the
   * job document and answers it; a repeat that finds the marker but no job document either waits for
   * the first writer (409 `idempotencyKeyInProgress`) or, when the marker is older than
   * {@link TAKEOVER_AFTER_MS} (the writer crashed), takes it over If-Match and finishes the same job id.
   */
  async create(job: ProvisioningJob, users: ProvisioningJobUser[]): Promise<JobCreateResult> {
    assertRowsOfJob(job.id, users);
    if (job.idempotencyKey === undefined) return this.write(job, users);
    const key = job.idempotencyKey;
    const marker: KeyMarker = {
      id: markerId(key),
      jobId: job.id,
      requestFingerprint: job.requestFingerprint ?? null,
      claimedDateTime: job.createdDateTime,
    };
    try {
      await this.jobs.items.create({ ...marker });
      return await this.write(job, users);
    } catch (e) {
      if (!isStatus(e, 409)) throw e;
    }
    const held = await readDocument(this.jobs, marker.id);
    if (!held) throw idempotencyKeyInProgress(key); // the marker was just taken over and replaced; retry
    const holder = toDomainValue<KeyMarker>(held);
    const existing = await this.get(holder.jobId);
    if (existing) return { created: false, job: existing };
    if (holder.requestFingerprint !== marker.requestFingerprint) throw idempotencyKeyReused(key);
    if (Date.parse(job.createdDateTime) - Date.parse(holder.claimedDateTime) < TAKEOVER_AFTER_MS)
      throw idempotencyKeyInProgress(key);
    // The first writer crashed before its job document: finish its job id, discarding its partial rows.
    const taken = await this.replaceIfMatch(
      this.jobs,
      marker.id,
      marker.id,
      { ...holder, claimedDateTime: job.createdDateTime },
      etagOf(held),
    );
    if (!taken) throw idempotencyKeyInProgress(key);
    await deletePartition(this.users, 'jobId', holder.jobId);
    const adopted = { ...job, id: holder.jobId };
    return this.write(
      adopted,
      users.map((u) => ({ ...u, jobId: holder.jobId })),
    );
  }

  /** Rows, then the job document; a job document that exists already is a conflict (or, with a key, the holder). */
  private async write(job: ProvisioningJob, users: ProvisioningJobUser[]): Promise<JobCreateResult> {
    if (await readDocument(this.jobs, job.id)) throw idTaken(job.id);
    for (let i = 0; i < users.length; i += ROW_WRITE_CONCURRENCY) {
      await Promise.all(
        users.slice(i, i + ROW_WRITE_CONCURRENCY).map((user) => this.users.items.upsert(userDocument(user))),
      );
    }
    try {
      await this.jobs.items.create(jobDocument(job));
    } catch (e) {
      if (!isStatus(e, 409)) throw e;
      const existing = job.idempotencyKey !== undefined ? await this.get(job.id) : null;
      if (existing && existing.idempotencyKey === job.idempotencyKey) return { created: false, job: existing };
      throw idTaken(job.id);
    }
    return { created: true, job };
  }

  /** Through the key's marker: its job id, then that job (null while the first create is still writing). */
  async findByIdempotencyKey(key: string): Promise<ProvisioningJob | null> {
    const held = await readDocument(this.jobs, markerId(key));
    return held ? this.get(toDomainValue<KeyMarker>(held).jobId) : null;
  }

  /** Keyset paging on the sort key (cross-partition; key markers have no sort key and are left out). */
  async list(options: { top: number; after?: JobCursor }): Promise<ProvisioningJob[]> {
    assertPageSize(options.top);
    const where = [`IS_DEFINED(c.${SORT_KEY})`];
    const parameters: SqlParameter[] = [{ name: '@top', value: options.top }];
    if (options.after) {
      where.push(`c.${SORT_KEY} < @after`);
      parameters.push({ name: '@after', value: sortKeyOf(options.after) });
    }
    const docs = await queryAll<CosmosDocument>(
      this.jobs,
      `SELECT TOP @top * FROM c ${whereClause(where)} ORDER BY c.${SORT_KEY} DESC`,
      parameters,
    );
    return docs.map(toJob);
  }

  async get(jobId: string): Promise<ProvisioningJob | null> {
    const doc = await readDocument(this.jobs, jobId);
    return doc ? toJob(doc) : null;
  }

  /** A job that does not exist stays absent (nothing to update). */
  async finish(jobId: string, status: Exclude<JobStatus, 'running'>, at: string): Promise<boolean> {
    let etag: string | undefined;
    for (let attempt = 1; attempt <= REPLACE_ATTEMPTS; attempt++) {
      const doc = await readDocument(this.jobs, jobId);
      if (!doc) return false;
      const current = toJob(doc);
      if (current.status !== 'running') return false;
      etag = etagOf(doc);
      // If-Match: of a cancel and a completion racing, the one that replaces first wins; the other re-reads and stops.
      if (
        await this.replaceIfMatch(
          this.jobs,
          jobId,
          jobId,
          jobDocument({ ...current, status, lastUpdatedDateTime: at }),
          etag,
        )
      )
        return true;
    }
    throw new ConcurrencyConflictError(`provisioning job ${jobId}`, etag);
  }

  async getUser(jobId: string, userId: string): Promise<ProvisioningJobUser | null> {
    const doc = await readDocument(this.users, userId, jobId);
    return doc ? toUser(doc) : null;
  }

  async listUsers(
    jobId: string,
    options: { top: number; afterSequence?: number; state?: JobUserState },
  ): Promise<ProvisioningJobUser[]> {
    assertPageSize(options.top);
    const where = ['c.jobId = @jobId'];
    const parameters = [
      { name: '@jobId', value: jobId },
      { name: '@top', value: options.top },
    ];
    if (options.afterSequence !== undefined) {
      where.push('c.sequence > @after');
      parameters.push({ name: '@after', value: options.afterSequence });
    }
    if (options.state !== undefined) {
      where.push('c.state = @state');
      parameters.push({ name: '@state', value: options.state });
    }
    const docs = await queryAll<CosmosDocument>(
      this.users,
      `SELECT TOP @top * FROM c ${whereClause(where)} ORDER BY c.sequence`,
      parameters,
      jobId,
    );
    return docs.map(toUser);
  }

  /** One COUNT per state, in the job's partition (cosmosdb-server has no GROUP BY). */
  async counts(jobId: string): Promise<JobUserCounts> {
    const counts = await Promise.all(
      ALL_JOB_USER_STATES.map(async (state) => {
        const [n] = await queryAll<number>(
          this.users,
          'SELECT VALUE COUNT(1) FROM c WHERE c.jobId = @jobId AND c.state = @state',
          [
            { name: '@jobId', value: jobId },
            { name: '@state', value: state },
          ],
          jobId,
        );
        return [state, n ?? 0] as const;
      }),
    );
    return Object.fromEntries(counts) as JobUserCounts;
  }

  async transition(
    jobId: string,
    userId: string,
    from: readonly JobUserState[],
    to: JobUserState,
    changes: UserChanges,
  ): Promise<ProvisioningJobUser | null> {
    let etag: string | undefined;
    for (let attempt = 1; attempt <= REPLACE_ATTEMPTS; attempt++) {
      const doc = await readDocument(this.users, userId, jobId);
      if (!doc || !from.includes(doc.state as JobUserState)) return null;
      etag = etagOf(doc);
      const moved = await this.move(doc, to, changes);
      if (moved) return moved;
    }
    throw new ConcurrencyConflictError(`provisioning job ${jobId} user ${userId}`, etag);
  }

  async claimNextReady(jobId: string, claimedBy: string, at: string): Promise<ProvisioningJobUser | null> {
    for (let round = 1; round <= CLAIM_ROUNDS; round++) {
      const candidates = await queryAll<CosmosDocument>(
        this.users,
        "SELECT TOP @n * FROM c WHERE c.jobId = @jobId AND c.state = 'ready' ORDER BY c.sequence",
        [
          { name: '@n', value: CLAIM_CANDIDATES },
          { name: '@jobId', value: jobId },
        ],
        jobId,
      );
      if (candidates.length === 0) return null;
      for (const doc of candidates) {
        // If-Match the ETag the query returned: a 412 means another station claimed (or someone moved) it.
        const claimed = await this.move(doc, 'claimed', { claimedBy, updatedDateTime: at });
        if (claimed) return claimed;
      }
    }
    throw new ConcurrencyConflictError(`next ready user of provisioning job ${jobId}`, undefined);
  }

  /** Replaces the row as read with its new state and changes, If-Match its ETag; null when it changed since. */
  private async move(doc: CosmosDocument, to: JobUserState, changes: UserChanges): Promise<ProvisioningJobUser | null> {
    const user: ProvisioningJobUser = { ...toUser(doc), state: to };
    for (const field of CHANGE_FIELDS) {
      if (changes[field] !== undefined) Object.assign(user, { [field]: changes[field] });
    }
    return (await this.replaceIfMatch(this.users, user.userId, user.jobId, userDocument(user), etagOf(doc)))
      ? user
      : null;
  }

  /** False on 412 (changed since read) or 404 (gone since read). */
  private async replaceIfMatch(
    container: Container,
    id: string,
    partitionKey: string,
    body: CosmosDocument,
    etag: string,
  ): Promise<boolean> {
    try {
      await container.item(id, partitionKey).replace(body, { accessCondition: { type: 'IfMatch', condition: etag } });
      return true;
    } catch (e) {
      if (isStatus(e, 412) || isStatus(e, 404)) return false;
      throw e;
    }
  }
}
