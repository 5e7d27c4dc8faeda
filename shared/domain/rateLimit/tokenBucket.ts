/**
 * A token bucket: `capacity` requests at once, refilled continuously at `capacity` per window.
 * Pure: the caller passes the time, so the rule is testable with an injected clock.
 */
export interface TokenBucketRule {
  /** Burst size, and the number of requests allowed per window. */
  capacity: number;
  windowMs: number;
}

export interface TokenBucket {
  tokens: number;
  /** When `tokens` was last computed (ms since the epoch). */
  updatedAt: number;
}

export interface TakeResult {
  allowed: boolean;
  bucket: TokenBucket;
  /** When refused: whole seconds until one token is back (at least 1), as Retry-After wants. */
  retryAfterSeconds: number;
}

/** A bucket as it stands at `now`: refilled for the time elapsed, never above capacity. */
export function refill(bucket: TokenBucket | undefined, rule: TokenBucketRule, now: number): TokenBucket {
  if (!bucket) return { tokens: rule.capacity, updatedAt: now };
  // A clock that steps back refills nothing (and takes nothing away).
  const elapsed = Math.max(0, now - bucket.updatedAt);
  return {
    tokens: Math.min(rule.capacity, bucket.tokens + (elapsed * rule.capacity) / rule.windowMs),
    updatedAt: Math.max(now, bucket.updatedAt),
  };
}

/** Takes one token if there is one; otherwise says how long until there will be. */
export function takeToken(bucket: TokenBucket | undefined, rule: TokenBucketRule, now: number): TakeResult {
  if (!(rule.capacity > 0) || !(rule.windowMs > 0))
    throw new Error(
      `A token bucket needs a positive capacity and window, received ${rule.capacity} per ${rule.windowMs} ms.`,
    );
  const current = refill(bucket, rule, now);
  if (current.tokens >= 1)
    return { allowed: true, bucket: { ...current, tokens: current.tokens - 1 }, retryAfterSeconds: 0 };
  const msToNextToken = ((1 - current.tokens) * rule.windowMs) / rule.capacity;
  return { allowed: false, bucket: current, retryAfterSeconds: Math.max(1, Math.ceil(msToNextToken / 1000)) };
}
