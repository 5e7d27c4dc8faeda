/**
 * How long a WebAuthn challenge stays valid. Entra's default is 5 minutes, for sign-in, for
 * self-service registration and for Graph's creationOptions without challengeTimeoutInMinutes;
 * an administrator may ask for 5 minutes up to 30 days (43200 minutes, Graph's range).
 */
export const CHALLENGE_TIMEOUT_MINUTES = { default: 5, min: 5, max: 43200 } as const;

/** The default challenge lifetime in milliseconds. */
export const DEFAULT_CHALLENGE_TIMEOUT_MS = CHALLENGE_TIMEOUT_MINUTES.default * 60_000;

/** Graph's challengeTimeoutInMinutes as a lifetime in milliseconds; refuses a value outside Graph's range. */
export function challengeTimeoutMs(minutes: number): number {
  if (
    !Number.isInteger(minutes) ||
    minutes < CHALLENGE_TIMEOUT_MINUTES.min ||
    minutes > CHALLENGE_TIMEOUT_MINUTES.max
  ) {
    throw new RangeError(
      `challengeTimeoutInMinutes must be a whole number from ${CHALLENGE_TIMEOUT_MINUTES.min} to ${CHALLENGE_TIMEOUT_MINUTES.max}, received ${minutes}`,
    );
  }
  return minutes * 60_000;
}
