import { assertRowsOfJob, zeroJobUserCounts } from '../../domain/provisioning/jobRows';
import type Database from 'better-sqlite3';
import { assertPageSize } from '../pageSize';
import { idTaken } from '../storeConflicts';
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

const SCHEMA = `
CREATE TABLE IF NOT EXISTS provisioning_jobs (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, created_date_time TEXT NOT NULL, last_updated_date_time TEXT NOT NULL,
  created_by TEXT NOT NULL, challenge_timeout_in_minutes INTEGER NOT NULL, display_name_template TEXT NOT NULL,
  source TEXT NOT NULL, total_users INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS provisioning_job_users (
  job_id TEXT NOT NULL, user_id TEXT NOT NULL, user_principal_name TEXT NOT NULL, display_name TEXT NOT NULL,
  sequence INTEGER NOT NULL, state TEXT NOT NULL, reason TEXT, creation_options TEXT, challenge_expires_date_time TEXT,
  claimed_by TEXT, method_id TEXT, updated_date_time TEXT NOT NULL,
  PRIMARY KEY (job_id, user_id)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS provisioning_job_users_by_sequence ON provisioning_job_users (job_id, sequence);
CREATE INDEX IF NOT EXISTS provisioning_job_users_by_state ON provisioning_job_users (job_id, state, sequence);
`;

/** Columns added after the first release: added to an existing table when missing. */
const ADDED_JOB_COLUMNS = ['idempotency_key', 'request_fingerprint', 'requested_by'] as const;

/** After the added columns exist: one job per idempotency key, and the newest-first listing. */
const INDEXES = `
CREATE UNIQUE INDEX IF NOT EXISTS provisioning_jobs_by_idempotency_key ON provisioning_jobs (idempotency_key)
  WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS provisioning_jobs_newest_first ON provisioning_jobs (created_date_time DESC, id DESC);
`;

interface JobRow {
  id: string;
  status: JobStatus;
  created_date_time: string;
  last_updated_date_time: string;
  created_by: string;
  challenge_timeout_in_minutes: number;
  display_name_template: string;
  source: string;
  total_users: number;
  idempotency_key: string | null;
  request_fingerprint: string | null;
  requested_by: string | null;
}

interface UserRow {
  job_id: string;
  user_id: string;
  user_principal_name: string;
  display_name: string;
  sequence: number;
  state: JobUserState;
  reason: string | null;
  creation_options: string | null;
  challenge_expires_date_time: string | null;
  claimed_by: string | null;
  method_id: string | null;
  updated_date_time: string;
}

type UserChanges = Parameters<ProvisioningJobRepository['transition']>[4];

/** The row fields `transition` may change, and their columns (a fixed list: no caller text reaches the SQL). */
const CHANGE_COLUMNS = {
  reason: 'reason',
  creationOptions: 'creation_options',
  challengeExpiresDateTime: 'challenge_expires_date_time',
  claimedBy: 'claimed_by',
  methodId: 'method_id',
  updatedDateTime: 'updated_date_time',
} as const satisfies Record<keyof UserChanges, string>;

const toJob = (r: JobRow): ProvisioningJob => ({
  id: r.id,
  status: r.status,
  createdDateTime: r.created_date_time,
  lastUpdatedDateTime: r.last_updated_date_time,
  createdBy: JSON.parse(r.created_by),
  challengeTimeoutInMinutes: r.challenge_timeout_in_minutes,
  displayNameTemplate: r.display_name_template,
  source: JSON.parse(r.source),
  totalUsers: r.total_users,
  ...(r.idempotency_key !== null ? { idempotencyKey: r.idempotency_key } : {}),
  ...(r.request_fingerprint !== null ? { requestFingerprint: r.request_fingerprint } : {}),
  ...(r.requested_by !== null ? { requestedBy: r.requested_by } : {}),
});

const toUser = (r: UserRow): ProvisioningJobUser => ({
  jobId: r.job_id,
  userId: r.user_id,
  userPrincipalName: r.user_principal_name,
  displayName: r.display_name,
  sequence: r.sequence,
  state: r.state,
  reason: r.reason,
  creationOptions: r.creation_options === null ? null : JSON.parse(r.creation_options),
  challengeExpiresDateTime: r.challenge_expires_date_time,
  claimedBy: r.claimed_by,
  methodId: r.method_id,
  updatedDateTime: r.updated_date_time,
});

/** A change as its column value: creation options are stored as JSON text. */
const columnValue = (field: keyof UserChanges, value: unknown) =>
  field === 'creationOptions' && value !== null ? JSON.stringify(value) : value;

/**
 * Bulk provisioning jobs over better-sqlite3; creates its own `provisioning_*` tables. Every write is
 * one statement or one transaction, and better-sqlite3 runs them synchronously, so a conditional
 * UPDATE can never interleave with another: a row is claimed or finished once.
 */
export class SqliteProvisioningJobRepository implements ProvisioningJobRepository {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    db.exec(SCHEMA);
    const present = new Set(
      (db.prepare('PRAGMA table_info(provisioning_jobs)').all() as Array<{ name: string }>).map((c) => c.name),
    );
    for (const column of ADDED_JOB_COLUMNS)
      if (!present.has(column)) db.exec(`ALTER TABLE provisioning_jobs ADD COLUMN ${column} TEXT`);
    db.exec(INDEXES);
    this.statements = {
      insertJob: db.prepare(
        `INSERT INTO provisioning_jobs (id, status, created_date_time, last_updated_date_time, created_by, challenge_timeout_in_minutes,
           display_name_template, source, total_users, idempotency_key, request_fingerprint, requested_by)
         VALUES (@id, @status, @createdDateTime, @lastUpdatedDateTime, @createdBy, @challengeTimeoutInMinutes, @displayNameTemplate, @source, @totalUsers,
           @idempotencyKey, @requestFingerprint, @requestedBy)`,
      ),
      insertUser: db.prepare(
        `INSERT INTO provisioning_job_users (job_id, user_id, user_principal_name, display_name, sequence, state, reason, creation_options,
           challenge_expires_date_time, claimed_by, method_id, updated_date_time)
         VALUES (@jobId, @userId, @userPrincipalName, @displayName, @sequence, @state, @reason, @creationOptions,
           @challengeExpiresDateTime, @claimedBy, @methodId, @updatedDateTime)`,
      ),
      getJob: db.prepare('SELECT * FROM provisioning_jobs WHERE id = ?'),
      getJobByKey: db.prepare('SELECT * FROM provisioning_jobs WHERE idempotency_key = ?'),
      listFirst: db.prepare('SELECT * FROM provisioning_jobs ORDER BY created_date_time DESC, id DESC LIMIT ?'),
      listAfter: db.prepare(
        `SELECT * FROM provisioning_jobs WHERE created_date_time < @createdDateTime OR (created_date_time = @createdDateTime AND id < @id)
         ORDER BY created_date_time DESC, id DESC LIMIT @top`,
      ),
      finish: db.prepare(
        "UPDATE provisioning_jobs SET status = ?, last_updated_date_time = ? WHERE id = ? AND status = 'running'",
      ),
      getUser: db.prepare('SELECT * FROM provisioning_job_users WHERE job_id = ? AND user_id = ?'),
      counts: db.prepare('SELECT state, COUNT(*) AS n FROM provisioning_job_users WHERE job_id = ? GROUP BY state'),
      claimNextReady: db.prepare(
        `UPDATE provisioning_job_users SET state = 'claimed', claimed_by = @claimedBy, updated_date_time = @at
         WHERE job_id = @jobId AND state = 'ready' AND user_id = (
           SELECT user_id FROM provisioning_job_users WHERE job_id = @jobId AND state = 'ready' ORDER BY sequence LIMIT 1)
         RETURNING *`,
      ),
    };
  }

  /** One transaction: the key is looked up and the job written together (and the UNIQUE index backs it). */
  async create(job: ProvisioningJob, users: ProvisioningJobUser[]): Promise<JobCreateResult> {
    assertRowsOfJob(job.id, users);
    const s = this.statements;
    return this.db.transaction((): JobCreateResult => {
      if (job.idempotencyKey !== undefined) {
        const holder = s.getJobByKey.get(job.idempotencyKey) as JobRow | undefined;
        if (holder) return { created: false, job: toJob(holder) };
      }
      if (s.getJob.get(job.id)) throw idTaken(job.id);
      s.insertJob.run({
        ...job,
        createdBy: JSON.stringify(job.createdBy),
        source: JSON.stringify(job.source),
        idempotencyKey: job.idempotencyKey ?? null,
        requestFingerprint: job.requestFingerprint ?? null,
        requestedBy: job.requestedBy ?? null,
      });
      for (const user of users) {
        s.insertUser.run({
          ...user,
          creationOptions: user.creationOptions === null ? null : JSON.stringify(user.creationOptions),
        });
      }
      return { created: true, job };
    })();
  }

  async findByIdempotencyKey(key: string): Promise<ProvisioningJob | null> {
    const row = this.statements.getJobByKey.get(key) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  async list(options: { top: number; after?: JobCursor }): Promise<ProvisioningJob[]> {
    assertPageSize(options.top);
    const rows = (
      options.after
        ? this.statements.listAfter.all({ ...options.after, top: options.top })
        : this.statements.listFirst.all(options.top)
    ) as JobRow[];
    return rows.map(toJob);
  }

  async get(jobId: string): Promise<ProvisioningJob | null> {
    const row = this.statements.getJob.get(jobId) as JobRow | undefined;
    return row ? toJob(row) : null;
  }

  /** A job that does not exist stays absent (nothing to update). */
  async finish(jobId: string, status: Exclude<JobStatus, 'running'>, at: string): Promise<boolean> {
    return this.statements.finish.run(status, at, jobId).changes === 1;
  }

  async getUser(jobId: string, userId: string): Promise<ProvisioningJobUser | null> {
    const row = this.statements.getUser.get(jobId, userId) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  async listUsers(
    jobId: string,
    options: { top: number; afterSequence?: number; state?: JobUserState },
  ): Promise<ProvisioningJobUser[]> {
    assertPageSize(options.top);
    const where = ['job_id = ?'];
    const params: Array<string | number> = [jobId];
    if (options.afterSequence !== undefined) {
      where.push('sequence > ?');
      params.push(options.afterSequence);
    }
    if (options.state !== undefined) {
      where.push('state = ?');
      params.push(options.state);
    }
    const rows = this.db
      .prepare(`SELECT * FROM provisioning_job_users WHERE ${where.join(' AND ')} ORDER BY sequence LIMIT ?`)
      .all(...params, options.top) as UserRow[];
    return rows.map(toUser);
  }

  async counts(jobId: string): Promise<JobUserCounts> {
    const counts = zeroJobUserCounts();
    for (const { state, n } of this.statements.counts.all(jobId) as Array<{ state: JobUserState; n: number }>)
      counts[state] = n;
    return counts;
  }

  /** One conditional UPDATE: the row moves only if it is still in one of `from`. */
  async transition(
    jobId: string,
    userId: string,
    from: readonly JobUserState[],
    to: JobUserState,
    changes: UserChanges,
  ): Promise<ProvisioningJobUser | null> {
    if (from.length === 0) return null;
    const set = ['state = ?'];
    const params: unknown[] = [to];
    for (const field of Object.keys(CHANGE_COLUMNS) as Array<keyof UserChanges>) {
      if (changes[field] === undefined) continue;
      set.push(`${CHANGE_COLUMNS[field]} = ?`);
      params.push(columnValue(field, changes[field]));
    }
    const row = this.db
      .prepare(
        `UPDATE provisioning_job_users SET ${set.join(', ')} WHERE job_id = ? AND user_id = ? AND state IN (${from.map(() => '?').join(', ')}) RETURNING *`,
      )
      .get(...params, jobId, userId, ...from) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  /** One conditional UPDATE of the lowest-sequence ready row; `state = 'ready'` is checked again on the row it picks. */
  async claimNextReady(jobId: string, claimedBy: string, at: string): Promise<ProvisioningJobUser | null> {
    const row = this.statements.claimNextReady.get({ jobId, claimedBy, at }) as UserRow | undefined;
    return row ? toUser(row) : null;
  }
}
