import { ConcurrencyConflictError, DomainError } from '../domain/errors';
import { ErrorCodes } from '../domain/errorCodes';
import { DEFAULT_CONFLICT_ATTEMPTS, retryOnConflict } from './retryOnConflict';

/** An operation that loses `conflicts` races, then returns its attempt number. */
const losing = (conflicts: number) => {
  const attempts: number[] = [];
  const operation = async (attempt: number) => {
    attempts.push(attempt);
    if (attempt <= conflicts) throw new ConcurrencyConflictError('thing', '"1"');
    return attempt;
  };
  return { attempts, operation };
};

describe('retryOnConflict', () => {
  it.each([
    { conflicts: 0, maxAttempts: 5, result: 1 },
    { conflicts: 4, maxAttempts: 5, result: 5 },
    { conflicts: 9, maxAttempts: 10, result: 10 },
  ])(
    'succeeds on attempt $result after $conflicts lost races (bound $maxAttempts)',
    async ({ conflicts, maxAttempts, result }) => {
      const { attempts, operation } = losing(conflicts);
      await expect(retryOnConflict(operation, maxAttempts)).resolves.toBe(result);
      expect(attempts).toEqual(Array.from({ length: result }, (_, i) => i + 1));
    },
  );

  it.each([
    { maxAttempts: 1, conflicts: 1 },
    { maxAttempts: 5, conflicts: 5 },
    { maxAttempts: DEFAULT_CONFLICT_ATTEMPTS, conflicts: 1000 },
  ])(
    'attack: constant contention ($conflicts conflicts) ends after $maxAttempts attempts with the conflict',
    async ({ maxAttempts, conflicts }) => {
      const { attempts, operation } = losing(conflicts);
      await expect(retryOnConflict(operation, maxAttempts)).rejects.toBeInstanceOf(ConcurrencyConflictError);
      expect(attempts).toHaveLength(maxAttempts);
    },
  );

  it('defaults to a bound, so no caller retries forever', async () => {
    const { attempts, operation } = losing(Number.POSITIVE_INFINITY);
    await expect(retryOnConflict(operation)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    expect(attempts).toHaveLength(DEFAULT_CONFLICT_ATTEMPTS);
  });

  it('does not retry any other error', async () => {
    const error = new DomainError(ErrorCodes.resourceNotFound, 'no such user');
    const operation = jest.fn(async () => {
      throw error;
    });
    await expect(retryOnConflict(operation, 5)).rejects.toBe(error);
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses the bound %p', async (maxAttempts) => {
    await expect(retryOnConflict(async () => 1, maxAttempts)).rejects.toThrow(
      `maxAttempts must be a positive integer; received ${maxAttempts}`,
    );
  });
});
