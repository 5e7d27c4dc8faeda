import type { Actor } from '../../domain/auth/actor';
import type { Principal } from '../../domain/auth/principal';
import { withTimers } from '../../ports/clock.port';
import type {
  JobUserCounts,
  JobUserState,
  ProvisioningJob,
  ProvisioningJobUser,
} from '../../ports/provisioningJobs.port';
import type { CredentialDelivery, ProvisioningOrchestrations } from '../../ports/provisioningOrchestrations.port';
import type { RegistrationResponseJSON } from '../../ports/webauthn.port';
import type { Fido2AuthenticationMethod } from '../webauthn/fido2Method';
import { cancelJob } from './cancelJob';
import { claimNext, type ClaimedUser } from './claimNext';
import { createJob, type CreateJobResult, type NewJobRequest } from './createJob';
import { deliverCredential } from './deliverCredential';
import { getJob, type JobView } from './getJob';
import { listJobs, type JobList } from './listJobs';
import { completeJob, listBatchUsers, markTimedOut } from './jobActivities';
import { JobOutcomeSignal } from './jobOutcomeSignal';
import { prepareUser } from './prepareUser';
import type { ProvisioningContext, ProvisioningDeps } from './provisioningDeps';
import { registerCredential } from './registerCredential';

export type { ClaimedUser, CreateJobResult, JobList, JobView, NewJobRequest, ProvisioningDeps };

/**
 * Bulk provisioning on behalf of users: jobs, stations claiming users, credentials delivered to the
 * users' orchestrations. The orchestrations call back into the activity methods below. Each use
 * case lives in its own module beside this file; the job user state machine is
 * shared/domain/provisioning/jobUserTransitions.ts.
 */
export class ProvisioningJobService {
  private readonly deps: ProvisioningContext;

  constructor(deps: ProvisioningDeps) {
    // One outcome signal per service: the activities that record outcomes and the requests that
    // wait for them share it (one App per process).
    this.deps = { ...deps, clock: withTimers(deps.clock), outcomes: new JobOutcomeSignal() };
  }

  /** The outcome signal the waits and the activities share; the local host's cluster links those of its processes. */
  get outcomes(): JobOutcomeSignal {
    return this.deps.outcomes;
  }

  // ---- API use cases (called by the HTTP triggers) ----

  /**
   * Creates a job of users (listed by UPN or id, or a group's members) and starts its
   * orchestration; each user's row starts `pending`. Users holding a privileged role whom the
   * creator may not act on start `refusedByPolicy`, each with its reason. Records
   * `provisioningJob.created`. Throws 400 `emptyJob` (no users) or `unknownUsers`.
   *
   * With `request.idempotencyKey`, at most one job is ever created per key (a store guarantee, also
   * for concurrent calls): a repeat answers `{ created: false, job }` with the first job, or throws
   * 409 `idempotencyKeyReused` when it asks for a different job, 409 `idempotencyKeyInProgress` while
   * the first call is still writing. `request.requestedBy` is recorded on the job as given. A queued
   * job passes `storageTriggerPrincipal()` (shared/domain/auth) as the principal.
   */
  createJob(
    request: NewJobRequest,
    principal: Principal,
    orchestrations: ProvisioningOrchestrations,
  ): Promise<CreateJobResult> {
    return createJob(this.deps, request, principal, orchestrations);
  }

  /**
   * Jobs newest first (creation time, then id), keyset-paged: `next` is the opaque `$skiptoken` of
   * the following page. Throws 400 `badRequest` for a token this service did not hand out.
   */
  listJobs(page: { top: number; skipToken?: string }): Promise<JobList> {
    return listJobs(this.deps, page);
  }

  /** A job with its counts and one page of its users. Throws 404 `jobNotFound`. */
  getJob(jobId: string, page: { top: number; afterSequence?: number }): Promise<JobView> {
    return getJob(this.deps, jobId, page);
  }

  /**
   * A station claims the next ready user and receives its creation options (the challenge starts
   * now); null when none is ready. A privileged user this caller may not act on is refused and the
   * next one offered. The claim is recorded under the caller (from its token); `stationId`, when
   * the station names itself, is a label beside it. Throws 404 `jobNotFound`, 409 `jobNotRunning`.
   */
  claimNext(
    jobId: string,
    stationId: string | undefined,
    orchestrations: ProvisioningOrchestrations,
    principal: Principal,
  ): Promise<ClaimedUser | null> {
    return claimNext(this.deps, jobId, stationId, orchestrations, principal);
  }

  /**
   * Hands a station's credential to the user's orchestration and answers with the recorded outcome
   * (the row, and the passkey when provisioned); the caller becomes the actor of the passkey's audit
   * record. Throws 404 `jobUserNotFound`, 409 `userNotClaimed`, 403 for a privileged user.
   */
  deliverCredential(
    jobId: string,
    userId: string,
    credential: RegistrationResponseJSON,
    orchestrations: ProvisioningOrchestrations,
    principal: Principal,
  ): Promise<{ row: ProvisioningJobUser; method?: Fido2AuthenticationMethod }> {
    return deliverCredential(this.deps, jobId, userId, credential, orchestrations, principal);
  }

  /**
   * Cancels a running job: the job stops taking work, every user without an outcome becomes
   * `cancelled`, the job's orchestrations stop, and `provisioningJob.cancelled` is recorded.
   * Throws 404 `jobNotFound`, 409 `jobNotRunning` (also when the job finished meanwhile).
   */
  cancel(jobId: string, orchestrations: ProvisioningOrchestrations, actor: Actor): Promise<ProvisioningJob> {
    return cancelJob(this.deps, jobId, orchestrations, actor);
  }

  // ---- activities (called by the orchestrations) ----

  /** The user ids of one batch, sequences [fromSequence, toSequence). */
  listBatchUsers(jobId: string, fromSequence: number, toSequence: number): Promise<string[]> {
    return listBatchUsers(this.deps, jobId, fromSequence, toSequence);
  }

  /** Guests are skipped and policy refusals recorded up front; everyone else becomes ready. Idempotent. */
  prepareUser(jobId: string, userId: string): Promise<JobUserState> {
    return prepareUser(this.deps, jobId, userId);
  }

  /** Registers the delivered credential once; a re-run after a crash finds the row final and stops. */
  registerCredential(
    jobId: string,
    userId: string,
    delivered: CredentialDelivery | RegistrationResponseJSON,
  ): Promise<JobUserState> {
    return registerCredential(this.deps, jobId, userId, delivered);
  }

  /** No credential arrived before the challenge expired. */
  markTimedOut(jobId: string, userId: string): Promise<JobUserState> {
    return markTimedOut(this.deps, jobId, userId);
  }

  /** Completes the job (unless it was cancelled meanwhile) and answers its counts. */
  completeJob(jobId: string): Promise<JobUserCounts> {
    return completeJob(this.deps, jobId);
  }
}
