import type { Principal } from '../../domain/auth/principal';
import { claimantLabel } from '../../domain/provisioning/claimantLabel';
import { DomainError, isDomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import type { ProvisioningOrchestrations } from '../../ports/provisioningOrchestrations.port';
import type { PublicKeyCredentialCreationOptionsJSON } from '../../ports/webauthn.port';
import { runningJob } from './jobLookups';
import { moveJobUser } from './moveJobUser';
import { nowIso, type ProvisioningContext } from './provisioningDeps';
import { privilegedRefusal, refusesPrivilegedUsers } from './privilegedUsers';

/** What a station receives for the user it claimed: the creation options to answer with a security key. */
export interface ClaimedUser {
  jobId: string;
  userId: string;
  userPrincipalName: string;
  displayName: string;
  challengeTimeoutDateTime: string;
  publicKey: PublicKeyCredentialCreationOptionsJSON;
}

/**
 * A station claims the next ready user; null when none is ready right now. A user who gained a
 * privileged role since the job started, and whom this station's caller may not act on, is
 * refused like a policy refusal, and the next user is offered. 404/409 when the job is missing or finished.
 */
export async function claimNext(
  deps: ProvisioningContext,
  jobId: string,
  stationId: string | undefined,
  orchestrations: ProvisioningOrchestrations,
  principal: Principal,
): Promise<ClaimedUser | null> {
  const job = await runningJob(deps, jobId);
  const claimant = claimantLabel(principal, stationId);
  const refusesPrivileged = refusesPrivilegedUsers(deps, principal);
  for (;;) {
    const row = await deps.jobs.claimNextReady(jobId, claimant, nowIso(deps));
    if (!row) return null;
    try {
      if (await refusesPrivileged(row.userId)) {
        throw new DomainError(
          ErrorCodes.privilegedTargetRequiresPrivilegedRole,
          privilegedRefusal(row.userPrincipalName, 'station'),
        );
      }
      // The challenge starts when the station claims the user, so a slow station does not burn it.
      const { options, expiresAt } = await deps.registration.adminOptions(row.userId, job.challengeTimeoutInMinutes);
      await moveJobUser(deps, jobId, row.userId, ['claimed'], 'claimed', {
        creationOptions: options,
        challengeExpiresDateTime: expiresAt.toISOString(),
        updatedDateTime: nowIso(deps),
      });
      await orchestrations.notifyClaimed(jobId, row.userId, { expiresAt: expiresAt.toISOString() });
      return {
        jobId,
        userId: row.userId,
        userPrincipalName: row.userPrincipalName,
        displayName: row.displayName,
        challengeTimeoutDateTime: expiresAt.toISOString(),
        publicKey: options,
      };
    } catch (e) {
      if (!isDomainError(e) || e.kind !== 'forbidden') {
        // Not a policy answer (e.g. the store failed): hand the user back, so the claim is not stuck.
        await moveJobUser(deps, jobId, row.userId, ['claimed'], 'ready', {
          claimedBy: null,
          creationOptions: null,
          challengeExpiresDateTime: null,
          updatedDateTime: nowIso(deps),
        }).catch(() => undefined);
        throw e;
      }
      // The policy changed since the user was checked: record the refusal and offer the next user.
      await moveJobUser(deps, jobId, row.userId, ['claimed'], 'refusedByPolicy', {
        reason: e.message,
        updatedDateTime: nowIso(deps),
      });
      await orchestrations.notifyClaimed(jobId, row.userId, { refused: e.message });
    }
  }
}
