import { DomainError } from '../domain/errors';
import { ErrorCodes } from '../domain/errorCodes';

/*
 * The refusals both store adapters raise for strengths, with the same codes and messages, so the
 * service and the HTTP edge cannot tell the stores apart.
 */

export const tooManyStrengths = (limit: number) =>
  new DomainError(
    ErrorCodes.tooManyAuthenticationStrengths,
    `The tenant already has ${limit} custom authentication strengths, the most Entra allows; delete one before creating another.`,
  );

export const strengthInUse = (id: string, resources: string[]) =>
  new DomainError(
    ErrorCodes.authenticationStrengthInUse,
    `The authentication strength '${id}' is required by protected resources (${resources.map((r) => `'${r}'`).join(', ')}); point them at another strength or delete them first.`,
  );
