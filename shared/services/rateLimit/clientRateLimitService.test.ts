import { takeToken, TokenBucket } from '../../domain/rateLimit/tokenBucket';
import { RateLimitRepository } from '../../ports/rateLimit.port';
import { ClientRateLimitService } from './clientRateLimitService';

const clockAt = (start: number) => {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
};

/** A store keeping buckets in a map (what the SQLite adapter keeps in a table). */
function fakeBuckets(): RateLimitRepository {
  const buckets = new Map<string, TokenBucket>();
  return {
    take: async (key, rule, now) => {
      const result = takeToken(buckets.get(key), rule, now);
      if (result.allowed) buckets.set(key, result.bucket);
      return { allowed: result.allowed, retryAfterSeconds: result.retryAfterSeconds };
    },
  };
}

describe.each<[string, () => RateLimitRepository | undefined]>([
  ['in memory (no store buckets)', () => undefined],
  ['in the store', fakeBuckets],
])('ClientRateLimitService, buckets %s', (_name, buckets) => {
  it('allows everything without a limit', async () => {
    const limits = new ClientRateLimitService(undefined, clockAt(0), buckets());
    for (let i = 0; i < 100; i++) expect(await limits.take('10.0.0.1')).toEqual({ allowed: true });
  });

  it('refuses past the limit per address, with the wait, and refills with the clock', async () => {
    const clock = clockAt(1_000_000);
    const limits = new ClientRateLimitService(3, clock, buckets());
    for (let i = 0; i < 3; i++) expect((await limits.take('10.0.0.1')).allowed).toBe(true);
    expect(await limits.take('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 20, perMinute: 3 });
    expect((await limits.take('10.0.0.2')).allowed).toBe(true);
    clock.advance(20_000);
    expect((await limits.take('10.0.0.1')).allowed).toBe(true);
  });
});

it('spends from the store when it keeps buckets: two services on one store share the limit', async () => {
  const clock = clockAt(0);
  const store = fakeBuckets();
  const [a, b] = [new ClientRateLimitService(2, clock, store), new ClientRateLimitService(2, clock, store)];
  expect([(await a.take('x')).allowed, (await b.take('x')).allowed, (await a.take('x')).allowed]).toEqual([
    true,
    true,
    false,
  ]);
});
