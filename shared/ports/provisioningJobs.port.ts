import type { JobCursor } from '../domain/provisioning/jobCursor';
import type { PublicKeyCredentialCreationOptionsJSON } from './webauthn.port';

export type JobStatus = 'running' | 'completed' | 'cancelled' | 'failed';

/** Where one user of a bulk provisioning job stands. */
export type JobUserState =
  | 'pending' // waiting for the orchestration to check the user
  | 'ready' // checked; waiting for a provisioning station to claim it
  | 'claimed' // a station holds creation options; waiting for its credential
  | 'provisioned'
  | 'skippedGuest'
  | 'refusedByPolicy'
  | 'timedOut'
  | 'failed'
  | 'cancelled';

export const FINAL_USER_STATES: readonly JobUserState[] = [
  'provisioned',
  'skippedGuest',
  'refusedByPolicy',
  'timedOut',
  'failed',
  'cancelled',
];

export interface ProvisioningJob {
  id: string;
  status: JobStatus;
  createdDateTime: string;
  lastUpdatedDateTime: string;
  createdBy: { id: string | null; userPrincipalName: string | null; appId: string | null };
  challengeTimeoutInMinutes: number;
  /** e.g. "{displayName} security key"; {displayName} and {userPrincipalName} are replaced. */
  displayNameTemplate: string;
  source: { users: string[] } | { groupId: string };
  totalUsers: number;
  /** The caller's idempotency key: at most one job per key (a store-level guarantee). */
  idempotencyKey?: string;
  /** A digest of the request the key was first used with, so a repeat with another body is told apart. */
  requestFingerprint?: string;
  /** Who asked, as a queued request names them (free text, e.g. a UPN; not an authenticated principal). */
  requestedBy?: string;
}

/** What `create` did: wrote the job, or found the job that already holds its idempotency key. */
export type JobCreateResult = { created: true; job: ProvisioningJob } | { created: false; job: ProvisioningJob };

export interface ProvisioningJobUser {
  jobId: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  /** Order in the job: stations claim the lowest ready sequence first. */
  sequence: number;
  state: JobUserState;
  reason: string | null;
  /** Set while claimed: what the station must answer, and until when. */
  creationOptions: PublicKeyCredentialCreationOptionsJSON | null;
  challengeExpiresDateTime: string | null;
  claimedBy: string | null;
  methodId: string | null;
  updatedDateTime: string;
}

export type { JobCursor } from '../domain/provisioning/jobCursor';

export type JobUserCounts = Record<JobUserState, number>;

/** Bulk provisioning jobs and their per-user rows. Writes are conditional, so a user is never claimed or finished twice. */
export interface ProvisioningJobRepository {
  /**
   * Creates the job with all its user rows (state `pending`). With an `idempotencyKey`, at most one
   * job per key is ever written, also when two creates race: the later one writes nothing and
   * answers the job that holds the key (`created: false`).
   */
  create(job: ProvisioningJob, users: ProvisioningJobUser[]): Promise<JobCreateResult>;
  get(jobId: string): Promise<ProvisioningJob | null>;
  /** The job that holds an idempotency key; null when none (or while its first create is still writing). */
  findByIdempotencyKey(key: string): Promise<ProvisioningJob | null>;
  /** Newest first (createdDateTime desc, then id desc), keyset-paged after the last job of the previous page. */
  list(options: { top: number; after?: JobCursor }): Promise<ProvisioningJob[]>;
  /**
   * Moves the job from `running` to `status`, atomically; false when the job is not running (a
   * cancel and the job's own completion racing: the first one wins) or does not exist.
   */
  finish(jobId: string, status: Exclude<JobStatus, 'running'>, at: string): Promise<boolean>;
  getUser(jobId: string, userId: string): Promise<ProvisioningJobUser | null>;
  /** Rows in sequence order, keyset-paged by sequence. */
  listUsers(
    jobId: string,
    options: { top: number; afterSequence?: number; state?: JobUserState },
  ): Promise<ProvisioningJobUser[]>;
  counts(jobId: string): Promise<JobUserCounts>;
  /**
   * Moves a row from one of `from` to `to` with the given changes, atomically; returns the updated
   * row, or null when the row was not in one of `from` (someone else moved it first).
   */
  transition(
    jobId: string,
    userId: string,
    from: readonly JobUserState[],
    to: JobUserState,
    changes: Partial<
      Pick<
        ProvisioningJobUser,
        'reason' | 'creationOptions' | 'challengeExpiresDateTime' | 'claimedBy' | 'methodId' | 'updatedDateTime'
      >
    >,
  ): Promise<ProvisioningJobUser | null>;
  /** Claims the first `ready` row (lowest sequence) for a station, atomically; null when none is ready. */
  claimNextReady(jobId: string, claimedBy: string, at: string): Promise<ProvisioningJobUser | null>;
}
