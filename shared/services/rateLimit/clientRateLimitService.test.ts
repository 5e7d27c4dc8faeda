import { ClientRateLimitService } from './clientRateLimitService';

const clockAt = (start: number) => {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
};

describe('ClientRateLimitService', () => {
  it('allows everything without a limit', () => {
    const limits = new ClientRateLimitService(undefined, clockAt(0));
    for (let i = 0; i < 100; i++) expect(limits.take('10.0.0.1')).toEqual({ allowed: true });
  });

  it('refuses past the limit per address, with the wait, and refills with the clock', () => {
    const clock = clockAt(1_000_000);
    const limits = new ClientRateLimitService(3, clock);
    for (let i = 0; i < 3; i++) expect(limits.take('10.0.0.1').allowed).toBe(true);
    expect(limits.take('10.0.0.1')).toEqual({ allowed: false, retryAfterSeconds: 20, perMinute: 3 });
    expect(limits.take('10.0.0.2').allowed).toBe(true);
    clock.advance(20_000);
    expect(limits.take('10.0.0.1').allowed).toBe(true);
  });
});
