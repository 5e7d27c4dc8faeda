import { RateLimiter } from '../../domain/rateLimit/rateLimiter';
import { Clock } from '../../ports/clock.port';
import { RateLimitRepository, RateLimitTake } from '../../ports/rateLimit.port';

const WINDOW_MS = 60_000;

/** The answer for one request: go on, or wait `retryAfterSeconds` (at most `perMinute` per minute). */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; perMinute: number };

/**
 * RATE_LIMIT_PER_MINUTE on the unauthenticated ceremony routes: one token bucket per client
 * address, timed by the app's clock. The buckets live in the store when it keeps them (SQLite:
 * shared by every worker process of the local host), else in this process's memory (Cosmos DB: per
 * instance, as the Functions scale-out shares nothing). Without a limit every request is allowed.
 */
export class ClientRateLimitService {
  private readonly spend?: (key: string, now: number) => Promise<RateLimitTake>;

  constructor(
    private readonly perMinute: number | undefined,
    private readonly clock: Clock,
    buckets?: RateLimitRepository,
  ) {
    if (!perMinute) return;
    const rule = { capacity: perMinute, windowMs: WINDOW_MS };
    if (buckets) {
      this.spend = (key, now) => buckets.take(key, rule, now);
    } else {
      const memory = new RateLimiter(rule);
      this.spend = async (key, now) => memory.take(key, now);
    }
  }

  /** Spends one request of `clientAddress` (refused requests cost nothing). */
  async take(clientAddress: string): Promise<RateLimitDecision> {
    if (!this.spend || !this.perMinute) return { allowed: true };
    const { allowed, retryAfterSeconds } = await this.spend(clientAddress, this.clock.now().getTime());
    return allowed ? { allowed: true } : { allowed: false, retryAfterSeconds, perMinute: this.perMinute };
  }
}
