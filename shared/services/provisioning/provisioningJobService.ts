import { randomUUID } from 'node:crypto';
import { Actor, actorOf } from '../../domain/auth/actor';
import { Principal } from '../../domain/auth/principal';
import { isPrivilegedUser, mayActOnPrivilegedUser } from '../../domain/auth/privilegedTargets';
import { badRequest, DomainError, isDomainError, notFound } from '../../domain/errors';
import { Clock } from '../../ports/clock.port';
import { CredentialRepository } from '../../ports/credentials.port';
import { AuditRepository } from '../../ports/audit.port';
import { auditRecord } from '../../domain/auditRecords';
import { pendingJobUser } from '../../domain/provisioning/jobRows';
import { FINAL_USER_STATES, JobUserCounts, JobUserState, ProvisioningJob, ProvisioningJobRepository, ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import { CredentialDelivery, ProvisioningOrchestrations } from '../../ports/provisioningOrchestrations.port';
import { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from '../../ports/webauthn.port';
import { DirectoryService } from '../directoryService';
import { RegistrationService } from '../webauthn/registrationService';
import { Fido2AuthenticationMethod, toFido2Method } from '../webauthn/fido2Method';
import { User } from '../../domain/directory/directory';
import { assertMayRegister } from '../../domain/policy/evaluatePolicy';
import { PolicyService } from '../policyService';
import { EventTypes } from '../../domain/events/eventTypes';

export interface NewJobRequest {
  users?: string[];
  groupId?: string;
  challengeTimeoutInMinutes: number;
  displayName: string;
}

/** Orchestrations started before deliveries carried their deliverer raised the bare credential. */
const isDelivery = (value: CredentialDelivery | RegistrationResponseJSON): value is CredentialDelivery => 'deliveredBy' in value && 'credential' in value;

export interface ClaimedUser {
  jobId: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  challengeTimeoutDateTime: string;
  publicKey: PublicKeyCredentialCreationOptionsJSON;
}

export interface JobView {
  job: ProvisioningJob;
  counts: JobUserCounts;
  users: ProvisioningJobUser[];
  nextSequence?: number;
}

const OUTCOME_WAIT_MS = 30_000;
const OUTCOME_POLL_MS = 20;
const isFinal = (state: JobUserState) => FINAL_USER_STATES.includes(state);
const jobMissing = (jobId: string) => notFound('jobNotFound', `No provisioning job with id '${jobId}'.`);

/** Why a privileged user is refused for this caller (the job row's reason, the station's 403). */
const privilegedRefusal = (userPrincipalName: string, who: 'creator' | 'station') =>
  `'${userPrincipalName}' holds a privileged directory role: only a Privileged Authentication Administrator or Global Administrator (or an application with UserAuthenticationMethod.ReadWrite.All) can provision passkeys for them, and the job's ${who} is neither.`;

/** Renders the passkey name template: {displayName} and {userPrincipalName}. */
export const renderDisplayName = (template: string, user: Pick<User, 'displayName' | 'userPrincipalName'>) =>
  template.replace(/\{displayName\}/g, user.displayName).replace(/\{userPrincipalName\}/g, user.userPrincipalName).slice(0, 256);

export interface ProvisioningDeps {
  jobs: ProvisioningJobRepository;
  directory: DirectoryService;
  policy: PolicyService;
  registration: RegistrationService;
  credentials: CredentialRepository;
  audit: AuditRepository;
  clock: Clock;
}

const JOB_EVENT_TYPES = { created: EventTypes.provisioningJobCreated, completed: EventTypes.provisioningJobCompleted, cancelled: EventTypes.provisioningJobCancelled } as const;

/**
 * Bulk provisioning on behalf of users: jobs, stations claiming users, credentials delivered to the
 * users' orchestrations. The orchestrations call back into the activity methods below.
 */
export class ProvisioningJobService {
  constructor(private readonly deps: ProvisioningDeps) {}

  private now = () => this.deps.clock.now().toISOString();

  /** Records a job's lifecycle step; the outbox relay publishes it as `provisioningJob.<step>`. */
  private async recordJob(step: 'created' | 'completed' | 'cancelled', job: ProvisioningJob, actor: Actor, details: Record<string, unknown>): Promise<void> {
    await this.deps.audit.append(
      auditRecord({
        id: randomUUID(),
        at: this.deps.clock.now(),
        actor,
        category: 'UserManagement',
        activityDisplayName: `Provisioning job ${step}`,
        eventType: JOB_EVENT_TYPES[step],
        operationType: step === 'created' ? 'Add' : 'Update',
        target: { id: job.id, displayName: job.displayNameTemplate, type: 'ProvisioningJob' },
        before: null,
        after: { jobId: job.id, totalUsers: job.totalUsers, ...details },
      }),
    );
  }

  /**
   * Creates a job. Users holding a privileged role whom the creator may not act on (Entra: only a
   * PAA or GA changes their methods) are refused up front, each with its reason; the others go on.
   */
  async createJob(request: NewJobRequest, principal: Principal, orchestrations: ProvisioningOrchestrations): Promise<ProvisioningJob> {
    const actor = actorOf(principal);
    const users = await this.resolveUsers(request);
    if (users.length === 0) throw badRequest('emptyJob', 'The job has no users: the list is empty or the group has no members.');
    const now = this.now();
    const job: ProvisioningJob = {
      id: randomUUID(),
      status: 'running',
      createdDateTime: now,
      lastUpdatedDateTime: now,
      createdBy: { id: actor.user?.id ?? null, userPrincipalName: actor.user?.userPrincipalName ?? null, appId: actor.app?.appId ?? null },
      challengeTimeoutInMinutes: request.challengeTimeoutInMinutes,
      displayNameTemplate: request.displayName,
      source: request.groupId ? { groupId: request.groupId } : { users: request.users ?? [] },
      totalUsers: users.length,
    };
    const mayActOnPrivileged = mayActOnPrivilegedUser(principal, 'authenticationMethods');
    const rows = [];
    for (const [sequence, u] of users.entries()) {
      const row = pendingJobUser(job.id, u, sequence, now);
      const refused = !mayActOnPrivileged && isPrivilegedUser(await this.deps.directory.roleIdsOfUser(u.id));
      // A final state at creation: the user's orchestration finds it and stops (prepareUser is idempotent).
      rows.push(refused ? { ...row, state: 'refusedByPolicy' as const, reason: privilegedRefusal(u.userPrincipalName, 'creator') } : row);
    }
    await this.deps.jobs.create(job, rows);
    await orchestrations.startJob(job.id, users.length);
    await this.recordJob('created', job, actor, { source: job.source });
    return job;
  }

  private async resolveUsers(request: NewJobRequest): Promise<User[]> {
    if (request.groupId) {
      const members: User[] = [];
      let after: string | undefined;
      do {
        const page = await this.deps.directory.listMembers(request.groupId, { filter: [], top: 500, after });
        members.push(...page.items);
        after = page.next;
      } while (after);
      return members;
    }
    const seen = new Map<string, User>();
    const unknown: string[] = [];
    for (const upn of request.users ?? []) {
      const found = await this.deps.directory.findUser(upn);
      if (!found) unknown.push(upn);
      else seen.set(found.value.id, found.value);
    }
    if (unknown.length > 0) throw badRequest('unknownUsers', `These users do not exist: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ` and ${unknown.length - 10} more` : ''}.`);
    return [...seen.values()];
  }

  async getJob(jobId: string, page: { top: number; afterSequence?: number }): Promise<JobView> {
    const job = await this.deps.jobs.get(jobId);
    if (!job) throw jobMissing(jobId);
    const [counts, users] = await Promise.all([this.deps.jobs.counts(jobId), this.deps.jobs.listUsers(jobId, { top: page.top + 1, afterSequence: page.afterSequence })]);
    const more = users.length > page.top;
    const shown = users.slice(0, page.top);
    return { job, counts, users: shown, nextSequence: more ? shown[shown.length - 1].sequence : undefined };
  }

  private async runningJob(jobId: string): Promise<ProvisioningJob> {
    const job = await this.deps.jobs.get(jobId);
    if (!job) throw jobMissing(jobId);
    if (job.status !== 'running') throw new DomainError('conflict', 'jobNotRunning', `Provisioning job '${jobId}' is ${job.status}; it takes no more work.`);
    return job;
  }

  /**
   * A station claims the next ready user; null when none is ready right now. A user who gained a
   * privileged role since the job started, and whom this station's caller may not act on, is
   * refused like a policy refusal, and the next user is offered.
   */
  async claimNext(jobId: string, stationId: string, orchestrations: ProvisioningOrchestrations, principal: Principal): Promise<ClaimedUser | null> {
    const job = await this.runningJob(jobId);
    for (;;) {
      const row = await this.deps.jobs.claimNextReady(jobId, stationId, this.now());
      if (!row) return null;
      try {
        if (!mayActOnPrivilegedUser(principal, 'authenticationMethods') && isPrivilegedUser(await this.deps.directory.roleIdsOfUser(row.userId))) {
          throw new DomainError('forbidden', 'privilegedTargetRequiresPrivilegedRole', privilegedRefusal(row.userPrincipalName, 'station'));
        }
        // The challenge starts when the station claims the user, so a slow station does not burn it.
        const { options, expiresAt } = await this.deps.registration.options(row.userId, 'admin', {
          timeoutMs: job.challengeTimeoutInMinutes * 60_000,
          authenticatorAttachment: 'cross-platform',
          residentKey: 'required',
        });
        await this.deps.jobs.transition(jobId, row.userId, ['claimed'], 'claimed', { creationOptions: options, challengeExpiresDateTime: expiresAt.toISOString(), updatedDateTime: this.now() });
        await orchestrations.notifyClaimed(jobId, row.userId, { expiresAt: expiresAt.toISOString() });
        return { jobId, userId: row.userId, userPrincipalName: row.userPrincipalName, displayName: row.displayName, challengeTimeoutDateTime: expiresAt.toISOString(), publicKey: options };
      } catch (e) {
        if (!isDomainError(e) || e.kind !== 'forbidden') {
          // Not a policy answer (e.g. the store failed): hand the user back, so the claim is not stuck.
          await this.deps.jobs.transition(jobId, row.userId, ['claimed'], 'ready', { claimedBy: null, creationOptions: null, challengeExpiresDateTime: null, updatedDateTime: this.now() }).catch(() => undefined);
          throw e;
        }
        // The policy changed since the user was checked: record the refusal and offer the next user.
        await this.deps.jobs.transition(jobId, row.userId, ['claimed'], 'refusedByPolicy', { reason: e.message, updatedDateTime: this.now() });
        await orchestrations.notifyClaimed(jobId, row.userId, { refused: e.message });
      }
    }
  }

  /**
   * Hands the station's credential to the user's orchestration and waits for the recorded outcome.
   * The caller (from its token, never from the body) becomes the actor of the passkey's audit
   * record, the job's creator is recorded beside it; a caller who may not act on a privileged user gets 403.
   */
  async deliverCredential(jobId: string, userId: string, credential: RegistrationResponseJSON, orchestrations: ProvisioningOrchestrations, principal: Principal): Promise<{ row: ProvisioningJobUser; method?: Fido2AuthenticationMethod }> {
    const row = await this.deps.jobs.getUser(jobId, userId);
    if (!row) throw notFound('jobUserNotFound', `User '${userId}' is not part of provisioning job '${jobId}'.`);
    if (row.state !== 'claimed') throw new DomainError('conflict', 'userNotClaimed', `User '${row.userPrincipalName}' is ${row.state} in this job; only a claimed user takes a credential (POST .../next first).`);
    await this.deps.directory.assertMayActOnUser(principal, 'authenticationMethods', { id: row.userId, userPrincipalName: row.userPrincipalName });
    const delivery: CredentialDelivery = { credential, deliveredBy: actorOf(principal) };
    await orchestrations.deliverCredential(jobId, userId, delivery);
    const outcome = await this.waitForOutcome(jobId, userId, row);
    const stored = outcome.methodId ? await this.deps.credentials.get(outcome.methodId) : null;
    return { row: outcome, method: stored ? toFido2Method(stored.value) : undefined };
  }

  /** The user's row once the orchestration recorded an outcome (or as it stands after the wait). */
  private async waitForOutcome(jobId: string, userId: string, fallback: ProvisioningJobUser): Promise<ProvisioningJobUser> {
    const deadline = Date.now() + OUTCOME_WAIT_MS;
    for (;;) {
      const current = await this.deps.jobs.getUser(jobId, userId);
      if (current && isFinal(current.state)) return current;
      if (Date.now() > deadline) return current ?? fallback;
      await new Promise((r) => setTimeout(r, OUTCOME_POLL_MS));
    }
  }

  async cancel(jobId: string, orchestrations: ProvisioningOrchestrations, actor: Actor): Promise<ProvisioningJob> {
    const job = await this.runningJob(jobId);
    if (!(await this.deps.jobs.finish(jobId, 'cancelled', this.now()))) {
      throw new DomainError('conflict', 'jobNotRunning', `Provisioning job '${jobId}' finished while it was being cancelled.`);
    }
    const open: string[] = [];
    let afterSequence: number | undefined;
    for (;;) {
      const rows = await this.deps.jobs.listUsers(jobId, { top: 500, afterSequence });
      if (rows.length === 0) break;
      for (const row of rows) {
        if (isFinal(row.state)) continue;
        const moved = await this.deps.jobs.transition(jobId, row.userId, ['pending', 'ready', 'claimed'], 'cancelled', { reason: 'The job was cancelled.', updatedDateTime: this.now() });
        if (moved) open.push(row.userId);
      }
      afterSequence = rows[rows.length - 1].sequence;
    }
    await orchestrations.cancelJob(jobId, open);
    await this.recordJob('cancelled', job, actor, { cancelledUsers: open.length });
    return { ...job, status: 'cancelled' };
  }

  // ---- activities (called by the orchestrations) ----

  async listBatchUsers(jobId: string, fromSequence: number, toSequence: number): Promise<string[]> {
    const rows = await this.deps.jobs.listUsers(jobId, { top: toSequence - fromSequence, afterSequence: fromSequence - 1 });
    return rows.filter((r) => r.sequence < toSequence).map((r) => r.userId);
  }

  /** Guests are skipped and policy refusals recorded up front; everyone else becomes ready. Idempotent. */
  async prepareUser(jobId: string, userId: string): Promise<JobUserState> {
    const row = await this.deps.jobs.getUser(jobId, userId);
    if (!row) return 'failed';
    if (row.state !== 'pending') return isFinal(row.state) ? row.state : 'ready';
    const found = await this.deps.directory.findUser(userId);
    let to: JobUserState = 'ready';
    let reason: string | null = null;
    if (!found) {
      to = 'failed';
      reason = 'The user no longer exists.';
    } else {
      try {
        const { value: policy } = await this.deps.policy.getFido2();
        assertMayRegister(policy, { user: found.value, groupIds: await this.deps.directory.groupIdsOfUser(userId) }, 'admin');
      } catch (e) {
        if (!isDomainError(e)) throw e;
        to = e.code === 'guestRegistrationNotAllowed' ? 'skippedGuest' : 'refusedByPolicy';
        reason = e.message;
      }
    }
    const moved = await this.deps.jobs.transition(jobId, userId, ['pending'], to, { reason, updatedDateTime: this.now() });
    return moved ? to : ((await this.deps.jobs.getUser(jobId, userId))?.state ?? 'failed');
  }

  /** Registers the delivered credential once; a re-run after a crash finds the row final and stops. */
  async registerCredential(jobId: string, userId: string, delivered: CredentialDelivery | RegistrationResponseJSON): Promise<JobUserState> {
    const { credential, deliveredBy } = isDelivery(delivered) ? delivered : { credential: delivered, deliveredBy: null };
    const row = await this.deps.jobs.getUser(jobId, userId);
    const job = await this.deps.jobs.get(jobId);
    if (!row || !job) return 'failed';
    if (row.state !== 'claimed') return row.state;
    // At-least-once activities: a re-run after a crash between the registration and the row update
    // finds the passkey already registered for this user, and records it instead of failing.
    const already = await this.deps.credentials.get(credential.id);
    if (already && already.value.userId === userId) {
      await this.deps.jobs.transition(jobId, userId, ['claimed'], 'provisioned', { reason: null, methodId: credential.id, updatedDateTime: this.now() });
      return 'provisioned';
    }
    let to: JobUserState;
    let changes: { reason: string | null; methodId: string | null };
    try {
      const creator: Actor = { user: job.createdBy.id ? { id: job.createdBy.id, userPrincipalName: job.createdBy.userPrincipalName } : null, app: job.createdBy.appId ? { appId: job.createdBy.appId } : null };
      // Who delivered the credential acts; the job's creator, who asked for it, is recorded beside.
      const actor: Actor = { ...(deliveredBy ?? creator), provisioningJob: { id: job.id, createdBy: job.createdBy } };
      const method = await this.deps.registration.verify(userId, 'admin', credential, renderDisplayName(job.displayNameTemplate, row), actor);
      to = 'provisioned';
      changes = { reason: null, methodId: method.id };
    } catch (e) {
      if (!isDomainError(e)) throw e;
      to = e.kind === 'forbidden' ? 'refusedByPolicy' : e.code === 'challengeExpired' ? 'timedOut' : 'failed';
      changes = { reason: e.message, methodId: null };
    }
    const moved = await this.deps.jobs.transition(jobId, userId, ['claimed'], to, { ...changes, updatedDateTime: this.now() });
    return moved ? to : ((await this.deps.jobs.getUser(jobId, userId))?.state ?? to);
  }

  async markTimedOut(jobId: string, userId: string): Promise<JobUserState> {
    const moved = await this.deps.jobs.transition(jobId, userId, ['claimed'], 'timedOut', { reason: 'No credential arrived before the challenge timed out.', updatedDateTime: this.now() });
    return moved ? 'timedOut' : ((await this.deps.jobs.getUser(jobId, userId))?.state ?? 'failed');
  }

  async completeJob(jobId: string): Promise<JobUserCounts> {
    const finished = await this.deps.jobs.finish(jobId, 'completed', this.now()); // false when cancelled meanwhile: cancel wins
    const counts = await this.deps.jobs.counts(jobId);
    const job = finished ? await this.deps.jobs.get(jobId) : null;
    if (job) await this.recordJob('completed', job, { user: null, app: { appId: 'provisioning-job' } }, { counts });
    return counts;
  }
}
