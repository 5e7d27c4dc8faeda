import { RateLimiter } from './rateLimiter';

const rule = { capacity: 2, windowMs: 60_000 };

describe('RateLimiter', () => {
  it('keeps one bucket per key', () => {
    const limiter = new RateLimiter(rule);
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)].map((r) => r.allowed)).toEqual([
      true,
      true,
      false,
    ]);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  it('forgets buckets idle for a window (they are full again)', () => {
    const limiter = new RateLimiter(rule);
    for (let i = 0; i < 100; i++) limiter.take(`10.0.0.${i}`, i);
    expect(limiter.size).toBe(100);
    limiter.take('late', 60_050);
    // The 51 last touched at 0..50 ms have been idle a whole window; 49 and `late` remain.
    expect(limiter.size).toBe(50);
  });

  it('attack: a flood of distinct addresses holds at most maxKeys buckets', () => {
    const limiter = new RateLimiter(rule, 1000);
    for (let i = 0; i < 50_000; i++) limiter.take(`key-${i}`, 0);
    expect(limiter.size).toBe(1000);
  });

  it('a refused key stays refused while others come and go', () => {
    const limiter = new RateLimiter(rule, 10);
    limiter.take('hot', 0);
    limiter.take('hot', 0);
    for (let i = 0; i < 5; i++) limiter.take(`k${i}`, 1);
    expect(limiter.take('hot', 2)).toEqual({ allowed: false, retryAfterSeconds: 30 });
  });
});
