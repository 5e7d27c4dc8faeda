import { createHash, randomUUID } from 'node:crypto';
import { actorOf, createdByOf } from '../../domain/auth/actor';
import type { Principal } from '../../domain/auth/principal';
import type { User } from '../../domain/directory/directory';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { idempotencyKeyReused } from '../../domain/provisioning/idempotencyKey';
import { pendingJobUser } from '../../domain/provisioning/jobRows';
import type { ProvisioningJob, ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import type { ProvisioningOrchestrations } from '../../ports/provisioningOrchestrations.port';
import { nowIso, type ProvisioningContext } from './provisioningDeps';
import { privilegedRefusal, refusesPrivilegedUsers } from './privilegedUsers';
import { recordJobStep } from './recordJobStep';

/** A job as the API asks for it: explicit users (UPNs or ids) or a group's members. */
export interface NewJobRequest {
  users?: string[];
  groupId?: string;
  challengeTimeoutInMinutes: number;
  displayName: string;
  /** At most one job per key, however often (and however concurrently) the request is repeated. */
  idempotencyKey?: string;
  /** Who asked (a queued request's free-text requester, e.g. a UPN); recorded on the job, grants nothing. */
  requestedBy?: string;
}

/**
 * What `createJob` did: `created` is false when the idempotency key already started a job, which is
 * answered unchanged (its orchestration started again only if it never was).
 */
export interface CreateJobResult {
  created: boolean;
  job: ProvisioningJob;
}

/**
 * A digest of what the job does (not who asked): a repeat with the same key must ask for the same
 * job. Users keep their order (the order is the job's sequence).
 */
export function requestFingerprint(request: NewJobRequest): string {
  const what = {
    users: request.users ?? null,
    groupId: request.groupId ?? null,
    challengeTimeoutInMinutes: request.challengeTimeoutInMinutes,
    displayName: request.displayName,
  };
  return createHash('sha256').update(JSON.stringify(what)).digest('base64url');
}

/** A request that carries an idempotency key, with the fingerprint a repeat must match. */
interface KeyedRequest {
  key: string;
  fingerprint: string;
}

/** Directory page size when reading a group's members. */
const MEMBERS_PAGE_SIZE = 500;
/** How many unknown users the 400 names. */
const UNKNOWN_USERS_SHOWN = 10;

/**
 * Creates a job and starts its orchestration. Users holding a privileged role whom the creator may
 * not act on (Entra: only a PAA or GA changes their methods) are refused up front, each with its
 * reason; the others go on. Throws 400 `emptyJob` for no users, `unknownUsers` for names not found.
 *
 * With an idempotency key the store writes at most one job per key; a repeat answers that job
 * (`created: false`), or 409 `idempotencyKeyReused` when it asks for a different job. A repeat after
 * a crash between the job's write and its orchestration's start starts the orchestration (and
 * records the `created` step, which is recorded after the start).
 */
export async function createJob(
  deps: ProvisioningContext,
  request: NewJobRequest,
  principal: Principal,
  orchestrations: ProvisioningOrchestrations,
): Promise<CreateJobResult> {
  const actor = actorOf(principal);
  const keyed: KeyedRequest | undefined =
    request.idempotencyKey !== undefined
      ? { key: request.idempotencyKey, fingerprint: requestFingerprint(request) }
      : undefined;
  if (keyed) {
    // Cheap early answer for a redelivery; the store's create below is what guarantees one job per key.
    const known = await deps.jobs.findByIdempotencyKey(keyed.key);
    if (known) return repeated(deps, known, keyed, orchestrations, actor);
  }
  const users = await resolveUsers(deps, request);
  if (users.length === 0)
    throw new DomainError(ErrorCodes.emptyJob, 'The job has no users: the list is empty or the group has no members.');
  const now = nowIso(deps);
  const job: ProvisioningJob = {
    id: randomUUID(),
    status: 'running',
    createdDateTime: now,
    lastUpdatedDateTime: now,
    createdBy: createdByOf(actor),
    challengeTimeoutInMinutes: request.challengeTimeoutInMinutes,
    displayNameTemplate: request.displayName,
    source: request.groupId ? { groupId: request.groupId } : { users: request.users ?? [] },
    totalUsers: users.length,
    ...(keyed ? { idempotencyKey: keyed.key, requestFingerprint: keyed.fingerprint } : {}),
    ...(request.requestedBy !== undefined ? { requestedBy: request.requestedBy } : {}),
  };
  const refusesPrivileged = refusesPrivilegedUsers(deps, principal);
  const rows: ProvisioningJobUser[] = [];
  for (const [sequence, u] of users.entries()) {
    const row = pendingJobUser(job.id, u, sequence, now);
    // A final state at creation: the user's orchestration finds it and stops (prepareUser is idempotent).
    rows.push(
      (await refusesPrivileged(u.id))
        ? { ...row, state: 'refusedByPolicy', reason: privilegedRefusal(u.userPrincipalName, 'creator') }
        : row,
    );
  }
  const written = await deps.jobs.create(job, rows);
  if (!written.created && keyed) return repeated(deps, written.job, keyed, orchestrations, actor);
  await start(deps, written.job, orchestrations, actor);
  return { created: true, job: written.job };
}

/** The orchestration first, then the `created` record: a job without its record never started. */
async function start(
  deps: ProvisioningContext,
  job: ProvisioningJob,
  orchestrations: ProvisioningOrchestrations,
  actor: ReturnType<typeof actorOf>,
): Promise<void> {
  await orchestrations.startJob(job.id, job.totalUsers);
  await recordJobStep(deps, 'created', job, actor, {
    source: job.source,
    ...(job.requestedBy !== undefined ? { requestedBy: job.requestedBy } : {}),
  });
}

/** A repeat of a keyed request: the same job, started if a crash stopped its first creator before the start. */
async function repeated(
  deps: ProvisioningContext,
  job: ProvisioningJob,
  keyed: KeyedRequest,
  orchestrations: ProvisioningOrchestrations,
  actor: ReturnType<typeof actorOf>,
): Promise<CreateJobResult> {
  if (job.requestFingerprint !== keyed.fingerprint) throw idempotencyKeyReused(keyed.key);
  // durable startNew on an existing instance id would restart it: start only when there is none.
  if ((await orchestrations.runtimeStatus(job.id)) === null) await start(deps, job, orchestrations, actor);
  return { created: false, job };
}

/** The job's users: all members of the group, or each listed user once (400 when any is unknown). */
async function resolveUsers(deps: ProvisioningContext, request: NewJobRequest): Promise<User[]> {
  if (request.groupId) {
    const members: User[] = [];
    let after: string | undefined;
    do {
      const page = await deps.directory.listMembers(request.groupId, { filter: [], top: MEMBERS_PAGE_SIZE, after });
      members.push(...page.items);
      after = page.next;
    } while (after);
    return members;
  }
  const seen = new Map<string, User>();
  const unknown: string[] = [];
  for (const upn of request.users ?? []) {
    const found = await deps.directory.findUser(upn);
    if (!found) unknown.push(upn);
    else seen.set(found.value.id, found.value);
  }
  if (unknown.length > 0) {
    const more = unknown.length > UNKNOWN_USERS_SHOWN ? ` and ${unknown.length - UNKNOWN_USERS_SHOWN} more` : '';
    throw new DomainError(
      ErrorCodes.unknownUsers,
      `These users do not exist: ${unknown.slice(0, UNKNOWN_USERS_SHOWN).join(', ')}${more}.`,
    );
  }
  return [...seen.values()];
}
