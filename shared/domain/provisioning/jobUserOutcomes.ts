import { DomainError, isErrorOf } from '../errors';
import { ErrorCodes } from '../errorCodes';
import type { JobUserState } from '../../ports/provisioningJobs.port';

/** Where preparing a user leaves them when the policy refuses: guests are skipped, the others refused. */
export const stateAfterPreparationRefusal = (error: DomainError): JobUserState =>
  isErrorOf(error, ErrorCodes.guestRegistrationNotAllowed) ? 'skippedGuest' : 'refusedByPolicy';

/** Where a refused registration of the delivered credential leaves the user. */
export const stateAfterRegistrationError = (error: DomainError): JobUserState =>
  error.kind === 'forbidden'
    ? 'refusedByPolicy'
    : isErrorOf(error, ErrorCodes.challengeExpired)
      ? 'timedOut'
      : 'failed';
