import { ErrorCodes } from '../errorCodes';
import { isDomainError, isErrorOf, type DomainErrorKind } from '../errors';

/** Refusals that another delivery of the same request would meet again. */
const FINAL_KINDS: ReadonlySet<DomainErrorKind> = new Set([
  'badRequest',
  'unauthorized',
  'forbidden',
  'notFound',
  'conflict',
]);

/**
 * Whether a queued or uploaded job request that failed is refused for good (to the poison queue at
 * once, with the error's message as the reason) or failed for now (another delivery may succeed:
 * the store unavailable, an ETag race, the first delivery of the same idempotency key still
 * creating its job, anything that is no domain error).
 */
export function isFinalRequestFailure(error: unknown): boolean {
  if (isErrorOf(error, ErrorCodes.idempotencyKeyInProgress)) return false;
  return isDomainError(error) && FINAL_KINDS.has(error.kind);
}
