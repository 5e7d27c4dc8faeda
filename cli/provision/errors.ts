/**
 * A failure that ends the whole run with exit code 1 (bad arguments, unreachable server, a token the
 * server refuses, a missing fido2-cred binary). Anything else is one user's outcome, not the run's.
 */
export class FatalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FatalError';
  }
}

/** Invalid or contradictory command-line options. */
export class UsageError extends FatalError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
