import { actorOf } from '../../domain/auth/actor';
import type { Principal } from '../../domain/auth/principal';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import type { ProvisioningJobUser } from '../../ports/provisioningJobs.port';
import type { CredentialDelivery, ProvisioningOrchestrations } from '../../ports/provisioningOrchestrations.port';
import type { RegistrationResponseJSON } from '../../ports/webauthn.port';
import { type Fido2AuthenticationMethod, toFido2Method } from '../webauthn/fido2Method';
import type { ProvisioningContext } from './provisioningDeps';
import { waitForOutcome } from './waitForOutcome';

/**
 * Hands the station's credential to the user's orchestration and waits for the recorded outcome.
 * The caller (from its token, never from the body) becomes the actor of the passkey's audit
 * record, the job's creator is recorded beside it; a caller who may not act on a privileged user gets 403.
 * 404 `jobUserNotFound` for a user not in the job, 409 `userNotClaimed` for a user no station holds.
 */
export async function deliverCredential(
  deps: ProvisioningContext,
  jobId: string,
  userId: string,
  credential: RegistrationResponseJSON,
  orchestrations: ProvisioningOrchestrations,
  principal: Principal,
): Promise<{ row: ProvisioningJobUser; method?: Fido2AuthenticationMethod }> {
  const row = await deps.jobs.getUser(jobId, userId);
  if (!row)
    throw new DomainError(ErrorCodes.jobUserNotFound, `User '${userId}' is not part of provisioning job '${jobId}'.`);
  if (row.state !== 'claimed')
    throw new DomainError(
      ErrorCodes.userNotClaimed,
      `User '${row.userPrincipalName}' is ${row.state} in this job; only a claimed user takes a credential (POST .../next first).`,
    );
  await deps.directory.assertMayActOnUser(principal, 'authenticationMethods', {
    id: row.userId,
    userPrincipalName: row.userPrincipalName,
  });
  const delivery: CredentialDelivery = { credential, deliveredBy: actorOf(principal) };
  await orchestrations.deliverCredential(jobId, userId, delivery);
  const outcome = await waitForOutcome(deps, jobId, userId, row);
  const stored = outcome.methodId ? await deps.credentials.get(outcome.methodId) : null;
  return { row: outcome, method: stored ? toFido2Method(stored.value) : undefined };
}
