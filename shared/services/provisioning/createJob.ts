import { randomUUID } from 'node:crypto';
import { actorOf, createdByOf } from '../../domain/auth/actor';
import type { Principal } from '../../domain/auth/principal';
import type { User } from '../../domain/directory/directory';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
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
}

/** Directory page size when reading a group's members. */
const MEMBERS_PAGE_SIZE = 500;
/** How many unknown users the 400 names. */
const UNKNOWN_USERS_SHOWN = 10;

/**
 * Creates a job and starts its orchestration. Users holding a privileged role whom the creator may
 * not act on (Entra: only a PAA or GA changes their methods) are refused up front, each with its
 * reason; the others go on. Throws 400 `emptyJob` for no users, `unknownUsers` for names not found.
 */
export async function createJob(
  deps: ProvisioningContext,
  request: NewJobRequest,
  principal: Principal,
  orchestrations: ProvisioningOrchestrations,
): Promise<ProvisioningJob> {
  const actor = actorOf(principal);
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
  await deps.jobs.create(job, rows);
  await orchestrations.startJob(job.id, users.length);
  await recordJobStep(deps, 'created', job, actor, { source: job.source });
  return job;
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
