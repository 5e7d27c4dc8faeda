import { ConcurrencyConflictError } from '../domain/errors';

/** How many times a read-modify-write runs before a conflict goes to the caller (412). */
export const DEFAULT_CONFLICT_ATTEMPTS = 5;

/**
 * Runs an optimistic read-modify-write (`operation` re-reads, changes and writes with the ETag it
 * read) and runs it again when the write loses a race (the store throws ConcurrencyConflictError),
 * at most `maxAttempts` times in all. The bound matters: under constant contention an unbounded
 * loop never returns. Any other error, and the conflict of the last attempt, go to the caller.
 * `operation` receives the 1-based attempt number.
 */
export async function retryOnConflict<T>(
  operation: (attempt: number) => Promise<T>,
  maxAttempts: number = DEFAULT_CONFLICT_ATTEMPTS,
): Promise<T> {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new RangeError(`maxAttempts must be a positive integer; received ${maxAttempts}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (!(error instanceof ConcurrencyConflictError) || attempt >= maxAttempts) throw error;
    }
  }
}
