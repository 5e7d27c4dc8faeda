import type { Actor } from '../../domain/auth/actor';
import { isDomainError } from '../../domain/errors';
import { stateAfterRegistrationError } from '../../domain/provisioning/jobUserOutcomes';
import { renderDisplayName } from '../../domain/provisioning/renderDisplayName';
import type { JobUserState, ProvisioningJob } from '../../ports/provisioningJobs.port';
import type { CredentialDelivery } from '../../ports/provisioningOrchestrations.port';
import type { RegistrationResponseJSON } from '../../ports/webauthn.port';
import { moveJobUser, stateAfterMove } from './moveJobUser';
import { nowIso, type ProvisioningContext } from './provisioningDeps';

/** Orchestrations started before deliveries carried their deliverer raised the bare credential. */
const isDelivery = (value: CredentialDelivery | RegistrationResponseJSON): value is CredentialDelivery =>
  'deliveredBy' in value && 'credential' in value;

/** The job's creator as an actor (who asked for the passkeys). */
const creatorOf = (job: ProvisioningJob): Actor => ({
  user: job.createdBy.id ? { id: job.createdBy.id, userPrincipalName: job.createdBy.userPrincipalName } : null,
  app: job.createdBy.appId ? { appId: job.createdBy.appId } : null,
});

/**
 * Activity: registers the delivered credential for a claimed user, once, and records the outcome
 * (provisioned, refusedByPolicy, timedOut or failed). A re-run after a crash finds the row final and stops.
 */
export async function registerCredential(
  deps: ProvisioningContext,
  jobId: string,
  userId: string,
  delivered: CredentialDelivery | RegistrationResponseJSON,
): Promise<JobUserState> {
  const { credential, deliveredBy } = isDelivery(delivered) ? delivered : { credential: delivered, deliveredBy: null };
  const row = await deps.jobs.getUser(jobId, userId);
  const job = await deps.jobs.get(jobId);
  if (!row || !job) return 'failed';
  if (row.state !== 'claimed') return row.state;
  // At-least-once activities: a re-run after a crash between the registration and the row update
  // finds the passkey already registered for this user, and records it instead of failing.
  const already = await deps.credentials.get(credential.id);
  if (already && already.value.userId === userId) {
    await moveJobUser(deps, jobId, userId, ['claimed'], 'provisioned', {
      reason: null,
      methodId: credential.id,
      updatedDateTime: nowIso(deps),
    });
    return 'provisioned';
  }
  let to: JobUserState;
  let changes: { reason: string | null; methodId: string | null };
  try {
    // Who delivered the credential acts; the job's creator, who asked for it, is recorded beside.
    const actor: Actor = {
      ...(deliveredBy ?? creatorOf(job)),
      provisioningJob: { id: job.id, createdBy: job.createdBy },
    };
    const method = await deps.registration.verify(
      userId,
      'admin',
      credential,
      renderDisplayName(job.displayNameTemplate, row),
      actor,
    );
    to = 'provisioned';
    changes = { reason: null, methodId: method.id };
  } catch (e) {
    if (!isDomainError(e)) throw e;
    to = stateAfterRegistrationError(e);
    changes = { reason: e.message, methodId: null };
  }
  const moved = await moveJobUser(deps, jobId, userId, ['claimed'], to, { ...changes, updatedDateTime: nowIso(deps) });
  return stateAfterMove(deps.jobs, jobId, userId, moved, to, to);
}
