import { CHALLENGE_TIMEOUT_MINUTES, challengeTimeoutMs, DEFAULT_CHALLENGE_TIMEOUT_MS } from './challengeTimeout';

describe('challenge timeout', () => {
  it("defaults to Entra's 5 minutes", () => {
    expect(DEFAULT_CHALLENGE_TIMEOUT_MS).toBe(5 * 60 * 1000);
    expect(challengeTimeoutMs(CHALLENGE_TIMEOUT_MINUTES.default)).toBe(DEFAULT_CHALLENGE_TIMEOUT_MS);
  });

  it.each([
    [5, 300_000],
    [60, 3_600_000],
    [43200, 2_592_000_000],
  ])('takes %i minutes as %i ms', (minutes, ms) => {
    expect(challengeTimeoutMs(minutes)).toBe(ms);
  });

  it.each([4, 43201, 0, -5, 5.5, Number.NaN])("refuses %p minutes (outside Graph's range)", (minutes) => {
    expect(() => challengeTimeoutMs(minutes)).toThrow(RangeError);
  });
});
