import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';

/** An idempotency key as callers send it: 1..128 of letters, digits and `._:-` (a GUID, a message id, `batch:42`). */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** 409: the key already started a job for a different request (Stripe, IETF Idempotency-Key draft: a reused key). */
export const idempotencyKeyReused = (key: string) =>
  new DomainError(
    ErrorCodes.idempotencyKeyReused,
    `The idempotency key '${key}' was already used for a different request; use a new key for a new job.`,
  );

/** 409: another request with the same key is still creating its job (IETF draft: a concurrent request); retry. */
export const idempotencyKeyInProgress = (key: string) =>
  new DomainError(
    ErrorCodes.idempotencyKeyInProgress,
    `A request with the idempotency key '${key}' is still creating its job; retry in a few seconds.`,
  );
