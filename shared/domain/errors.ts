/**
 * Domain errors carry a stable Graph-style code and a kind; only the HTTP edge maps the kind to a
 * status (functions/http/errorResponse.ts). Messages say what was received and what was expected.
 */
export type DomainErrorKind =
  | 'badRequest'
  | 'unauthorized'
  | 'forbidden'
  | 'notFound'
  | 'conflict'
  | 'preconditionFailed'
  | 'tooManyRequests'
  | 'unsupportedMediaType'
  | 'payloadTooLarge'
  | 'methodNotAllowed'
  | 'serviceUnavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DomainError';
  }
}

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('badRequest', code, message, details);
export const notFound = (code: string, message: string) => new DomainError('notFound', code, message);
export const forbidden = (code: string, message: string, details?: Record<string, unknown>) =>
  new DomainError('forbidden', code, message, details);
export const conflict = (code: string, message: string) => new DomainError('conflict', code, message);

/** Thrown by stores when an ETag precondition does not hold (optimistic concurrency). */
export class ConcurrencyConflictError extends DomainError {
  constructor(resource: string, expectedEtag: string | undefined) {
    super(
      'preconditionFailed',
      'Request_PreconditionFailed',
      `The ${resource} was changed by another request (expected ETag ${expectedEtag ?? '<none>'}); read it again and retry.`,
    );
  }
}

/**
 * The store could not serve the request for now (SQLite busy or locked past its busy timeout,
 * Cosmos DB throttling after the SDK's own retries, 503, a timeout). Nothing was written: the
 * client may retry after `retryAfterSeconds`. Adapters raise it; the edge answers 503 + Retry-After.
 */
export class StoreUnavailableError extends DomainError {
  constructor(
    readonly store: 'sqlite' | 'cosmos',
    readonly retryAfterSeconds: number,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('serviceUnavailable', 'serviceUnavailable', `The ${store === 'sqlite' ? 'SQLite' : 'Cosmos DB'} store is unavailable for now (${reason}); nothing was changed. Retry after ${retryAfterSeconds} s.`, undefined, options);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
