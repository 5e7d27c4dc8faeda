import { takeToken, TokenBucket, TokenBucketRule } from './tokenBucket';

const PER_MINUTE_3: TokenBucketRule = { capacity: 3, windowMs: 60_000 };

/** Replays takes at the given times (ms) and reports allowed (✓) or refused with Retry-After. */
function replay(rule: TokenBucketRule, times: number[]): string[] {
  let bucket: TokenBucket | undefined;
  return times.map((t) => {
    const result = takeToken(bucket, rule, t);
    bucket = result.bucket;
    return result.allowed ? '✓' : `429/${result.retryAfterSeconds}s`;
  });
}

describe('takeToken (3 per minute)', () => {
  it.each<[string, number[], string[]]>([
    ['a burst up to capacity passes', [0, 0, 0], ['✓', '✓', '✓']],
    ['the next one waits for a refill (20 s per token)', [0, 0, 0, 0], ['✓', '✓', '✓', '429/20s']],
    ['refused takes cost nothing', [0, 0, 0, 0, 10_000, 20_000], ['✓', '✓', '✓', '429/20s', '429/10s', '✓']],
    ['one token back after 20 s', [0, 0, 0, 20_000, 20_000], ['✓', '✓', '✓', '✓', '429/20s']],
    ['Retry-After rounds up to whole seconds', [0, 0, 0, 19_500], ['✓', '✓', '✓', '429/1s']],
    [
      'an idle minute refills to capacity, not beyond',
      [0, 0, 0, 600_000, 600_000, 600_000, 600_000],
      ['✓', '✓', '✓', '✓', '✓', '✓', '429/20s'],
    ],
    [
      'a steady 1 per 20 s never runs out',
      [0, 20_000, 40_000, 60_000, 80_000, 100_000],
      ['✓', '✓', '✓', '✓', '✓', '✓'],
    ],
    ['a clock stepping back refills nothing', [60_000, 60_000, 60_000, 0], ['✓', '✓', '✓', '429/20s']],
  ])('%s', (_name, times, expected) => expect(replay(PER_MINUTE_3, times)).toEqual(expected));

  it.each<[TokenBucketRule, string]>([
    [{ capacity: 0, windowMs: 60_000 }, 'capacity 0'],
    [{ capacity: 5, windowMs: 0 }, 'window 0'],
    [{ capacity: Number.NaN, windowMs: 60_000 }, 'capacity NaN'],
  ])('refuses a rule with %p (%s)', (rule) =>
    expect(() => takeToken(undefined, rule, 0)).toThrow(/positive capacity and window/),
  );
});
