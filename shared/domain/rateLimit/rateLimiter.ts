import { takeToken, TokenBucket, TokenBucketRule } from './tokenBucket';

/** Addresses remembered at once; beyond this the least recently seen is forgotten. */
export const DEFAULT_MAX_KEYS = 10_000;

/**
 * One token bucket per key (a client address) with bounded memory. Keys are kept in least
 * recently used order; a bucket idle for a whole window is full again, the same as no bucket,
 * so it is dropped. Should more than `maxKeys` addresses be active inside one window, the least
 * recently seen loses its state (it starts again with a full bucket).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly rule: TokenBucketRule,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {}

  /** Spends one request of `key` at `now` (ms); refused requests cost nothing. */
  take(key: string, now: number): { allowed: boolean; retryAfterSeconds: number } {
    this.evictIdle(now);
    const result = takeToken(this.buckets.get(key), this.rule, now);
    this.buckets.delete(key);
    this.buckets.set(key, result.bucket);
    while (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    return { allowed: result.allowed, retryAfterSeconds: result.retryAfterSeconds };
  }

  /** Buckets currently held (for tests and figures). */
  get size(): number {
    return this.buckets.size;
  }

  private evictIdle(now: number): void {
    // Oldest first: the first bucket touched within the window ends the sweep.
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt < this.rule.windowMs) return;
      this.buckets.delete(key);
    }
  }
}
