import { RateLimiter } from '../../domain/rateLimit/rateLimiter';
import { Clock } from '../../ports/clock.port';

const WINDOW_MS = 60_000;

/** The answer for one request: go on, or wait `retryAfterSeconds` (at most `perMinute` per minute). */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; perMinute: number };

/**
 * RATE_LIMIT_PER_MINUTE on the unauthenticated ceremony routes: one token bucket per client
 * address, timed by the app's clock. Without a limit every request is allowed.
 */
export class ClientRateLimitService {
  private readonly limiter?: RateLimiter;

  constructor(
    private readonly perMinute: number | undefined,
    private readonly clock: Clock,
  ) {
    if (perMinute) this.limiter = new RateLimiter({ capacity: perMinute, windowMs: WINDOW_MS });
  }

  /** Spends one request of `clientAddress` (refused requests cost nothing). */
  take(clientAddress: string): RateLimitDecision {
    if (!this.limiter || !this.perMinute) return { allowed: true };
    const { allowed, retryAfterSeconds } = this.limiter.take(clientAddress, this.clock.now().getTime());
    return allowed ? { allowed: true } : { allowed: false, retryAfterSeconds, perMinute: this.perMinute };
  }
}
