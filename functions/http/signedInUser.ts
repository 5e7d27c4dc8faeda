import { Principal } from '../../shared/domain/auth/principal';
import { DomainError } from '../../shared/domain/errors';
import { ErrorCodes } from '../../shared/domain/errorCodes';

/**
 * The signed-in user's id on routes whose access rule is `signedInUser` (the pipeline already
 * answers 400 to app-only tokens there; this keeps the type honest).
 */
export function signedInUserId(principal: Principal): string {
  if (!principal.userId)
    throw new DomainError(
      ErrorCodes.badRequest,
      '/me and self-service requests are only valid with a delegated (user) token; this token has no signed-in user.',
    );
  return principal.userId;
}
