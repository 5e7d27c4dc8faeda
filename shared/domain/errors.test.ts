import { ConcurrencyConflictError, DomainError, isErrorOf, StoreUnavailableError } from './errors';
import { ErrorCodes } from './errorCodes';

describe('DomainError', () => {
  it('takes its code and kind from the registry entry and keeps the cause', () => {
    const cause = new Error('inner');
    const error = new DomainError(ErrorCodes.jobNotRunning, "Provisioning job 'j' is completed.", { cause });
    expect(error).toMatchObject({
      name: 'DomainError',
      kind: 'conflict',
      code: 'jobNotRunning',
      message: "Provisioning job 'j' is completed.",
      cause,
    });
  });

  it.each([
    ['the same entry', new DomainError(ErrorCodes.challengeExpired, 'x'), ErrorCodes.challengeExpired, true],
    [
      'the same code with another kind (sign-in answers 401)',
      new DomainError(ErrorCodes.signInChallengeExpired, 'x'),
      ErrorCodes.challengeExpired,
      false,
    ],
    ['another code', new DomainError(ErrorCodes.invalidChallenge, 'x'), ErrorCodes.challengeExpired, false],
    [
      'a plain error carrying the code',
      Object.assign(new Error('x'), { code: 'challengeExpired', kind: 'badRequest' }),
      ErrorCodes.challengeExpired,
      false,
    ],
    ['a store conflict', new ConcurrencyConflictError('policy', undefined), ErrorCodes.preconditionFailed, true],
    ['a store outage', new StoreUnavailableError('cosmos', 1, 'throttled'), ErrorCodes.serviceUnavailable, true],
  ])('isErrorOf: %s → %s', (_name, error, entry, expected) => {
    expect(isErrorOf(error, entry)).toBe(expected);
  });

  it('has one entry per situation: no two entries with both the same code and kind', () => {
    const pairs = Object.values(ErrorCodes).map((e) => `${e.kind}:${e.code}`);
    expect(new Set(pairs).size).toBe(pairs.length);
  });
});
