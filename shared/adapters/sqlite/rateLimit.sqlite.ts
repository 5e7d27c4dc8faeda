import { takeToken, TokenBucketRule } from '../../domain/rateLimit/tokenBucket';
import { DEFAULT_MAX_KEYS } from '../../domain/rateLimit/rateLimiter';
import { RateLimitRepository, RateLimitTake } from '../../ports/rateLimit.port';
import { SqliteDatabase } from './database';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS rate_limit_buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL, updated_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS rate_limit_buckets_by_time ON rate_limit_buckets (updated_at);
`;

/** Spent tokens between two sweeps of idle buckets. */
const SWEEP_EVERY = 500;

/**
 * The token buckets of RATE_LIMIT_PER_MINUTE in the embedded store, shared by every process that
 * opens the file. Each take is one IMMEDIATE transaction (SQLite's write lock, so two workers
 * cannot both spend the last token): read the bucket, apply the domain's `takeToken`, write it back
 * when allowed. A bucket idle for a whole window is full again, the same as no row, so a sweep
 * every few hundred takes deletes those, then the least recently used beyond `maxKeys`: a flood of
 * distinct addresses keeps the table bounded.
 */
export class SqliteRateLimitRepository implements RateLimitRepository {
  private readonly take_;
  private readonly sweep;
  private sinceSweep = 0;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly maxKeys = DEFAULT_MAX_KEYS,
  ) {
    db.exec(SCHEMA);
    const read = db.prepare('SELECT tokens, updated_at AS updatedAt FROM rate_limit_buckets WHERE key = ?');
    const write = db.prepare(
      `INSERT INTO rate_limit_buckets (key, tokens, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_at = excluded.updated_at`,
    );
    this.take_ = db.transaction((key: string, rule: TokenBucketRule, now: number): RateLimitTake => {
      const bucket = read.get(key) as { tokens: number; updatedAt: number } | undefined;
      const result = takeToken(bucket, rule, now);
      if (result.allowed) write.run(key, result.bucket.tokens, result.bucket.updatedAt);
      return { allowed: result.allowed, retryAfterSeconds: result.retryAfterSeconds };
    });
    const idle = db.prepare('DELETE FROM rate_limit_buckets WHERE updated_at <= ?');
    const count = db.prepare('SELECT COUNT(*) AS n FROM rate_limit_buckets');
    const oldest = db.prepare(
      'DELETE FROM rate_limit_buckets WHERE key IN (SELECT key FROM rate_limit_buckets ORDER BY updated_at LIMIT ?)',
    );
    this.sweep = db.transaction((windowMs: number, now: number) => {
      idle.run(now - windowMs);
      const over = (count.get() as { n: number }).n - this.maxKeys;
      if (over > 0) oldest.run(over);
    });
  }

  async take(key: string, rule: TokenBucketRule, now: number): Promise<RateLimitTake> {
    const taken = this.take_.immediate(key, rule, now);
    if (taken.allowed && ++this.sinceSweep >= SWEEP_EVERY) {
      this.sinceSweep = 0;
      this.sweep.immediate(rule.windowMs, now);
    }
    return taken;
  }

  /** Buckets held (tests). */
  size(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM rate_limit_buckets').get() as { n: number }).n;
  }
}
