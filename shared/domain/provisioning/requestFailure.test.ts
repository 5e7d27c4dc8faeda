import { ConcurrencyConflictError, DomainError, StoreUnavailableError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import { isFinalRequestFailure } from './requestFailure';

describe('isFinalRequestFailure', () => {
  it.each<[string, unknown, boolean]>([
    ['unknown users (400)', new DomainError(ErrorCodes.unknownUsers, 'These users do not exist: x@y.z.'), true],
    ['an empty job (400)', new DomainError(ErrorCodes.emptyJob, 'The job has no users'), true],
    ['a group that does not exist (404)', new DomainError(ErrorCodes.resourceNotFound, 'no such group'), true],
    ['a conflict (409)', new DomainError(ErrorCodes.jobNotRunning, 'not running'), true],
    [
      'the idempotency key reused for another request (409)',
      new DomainError(ErrorCodes.idempotencyKeyReused, 'reused'),
      true,
    ],
    [
      'the same key still creating its job (409, retry)',
      new DomainError(ErrorCodes.idempotencyKeyInProgress, 'in progress'),
      false,
    ],
    ['the store unavailable for now (503)', new StoreUnavailableError('sqlite', 1, 'busy'), false],
    ['an ETag race (412)', new ConcurrencyConflictError('job', '"1"'), false],
    ['a crash of anything else', new Error('ECONNRESET'), false],
    ['a thrown string', 'boom', false],
  ])('%s: final %s', (_what, error, final) => {
    expect(isFinalRequestFailure(error)).toBe(final);
  });
});
