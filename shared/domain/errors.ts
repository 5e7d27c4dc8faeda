import { DomainErrorKind, ErrorCode, ErrorCodeEntry, ErrorCodes, ErrorDefinition } from './errorCodes';

/**
 * Domain errors carry a stable Graph-style code and a kind, both from one registry entry
 * (./errorCodes.ts); only the HTTP edge maps the kind to a status (functions/http/errorResponse.ts).
 * Messages say what was received and what was expected; they are the only detail a client sees.
 */
export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  readonly code: ErrorCode;

  constructor(definition: ErrorCodeEntry, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DomainError';
    this.kind = definition.kind;
    this.code = definition.code;
  }
}

/** Thrown by stores when an ETag precondition does not hold (optimistic concurrency). */
export class ConcurrencyConflictError extends DomainError {
  constructor(resource: string, expectedEtag: string | undefined) {
    super(
      ErrorCodes.preconditionFailed,
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
    super(
      ErrorCodes.serviceUnavailable,
      `The ${store === 'sqlite' ? 'SQLite' : 'Cosmos DB'} store is unavailable for now (${reason}); nothing was changed. Retry after ${retryAfterSeconds} s.`,
      options,
    );
  }
}

/**
 * Sign-in with a passkey this service does not hold (never registered, or deleted). Carries the
 * arguments of the WebAuthn signal `PublicKeyCredential.signalUnknownCredential`, so the browser's
 * passkey provider can forget it. Only echoes the id the caller sent, for any unknown id: it tells
 * nothing about which users exist.
 */
export class UnknownCredentialError extends DomainError {
  constructor(
    readonly signalUnknownCredential: { rpId: string; credentialId: string },
    message: string,
  ) {
    super(ErrorCodes.fido2SignInFailed, message);
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

/** True when `e` is the registry entry's error (same code and kind): how callers react to one error. */
export const isErrorOf = (e: unknown, definition: ErrorDefinition): e is DomainError =>
  isDomainError(e) && e.code === definition.code && e.kind === definition.kind;

export type { DomainErrorKind };
