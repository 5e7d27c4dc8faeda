import { TokenBucketRule } from '../domain/rateLimit/tokenBucket';

/** One request spent, or how long to wait for the next token. */
export interface RateLimitTake {
  allowed: boolean;
  /** When refused: whole seconds until a token is back (at least 1). */
  retryAfterSeconds: number;
}

/**
 * Token buckets kept in the store, so every process serving the routes (the local host's cluster
 * workers) spends from the same bucket: a client cannot escape the limit by landing on another one.
 */
export interface RateLimitRepository {
  /**
   * Spends one request of `key` at `now` (ms) under `rule` (shared/domain/rateLimit/tokenBucket.ts),
   * atomically with respect to every other process; a refused request writes nothing.
   */
  take(key: string, rule: TokenBucketRule, now: number): Promise<RateLimitTake>;
}
