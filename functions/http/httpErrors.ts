/**
 * Errors only the HTTP layer raises (request framing, body size, media type, method, rate limit,
 * the last-resort 500): they describe the transport, not a rule, so they live at the edge and not
 * in shared/domain/errorCodes.ts. Each entry carries its status and the code clients see.
 */
export const HttpErrorCodes = {
  /** The request line, target or framing cannot be understood. */
  malformedRequest: { status: 400, code: 'BadRequest' },
  routeNotFound: { status: 404, code: 'NotFound' },
  /** The local durable management API without the process's system key (as the Functions host). */
  systemKeyRequired: { status: 401, code: 'Unauthorized' },
  /** The local host's dev-token route (admin console sign-in) asked by a non-loopback client, host name or origin. */
  localClientsOnly: { status: 403, code: 'localClientsOnly' },
  methodNotAllowed: { status: 405, code: 'MethodNotAllowed' },
  requestTimeout: { status: 408, code: 'RequestTimeout' },
  payloadTooLarge: { status: 413, code: 'RequestBodyTooLarge' },
  unsupportedMediaType: { status: 415, code: 'UnsupportedMediaType' },
  tooManyRequests: { status: 429, code: 'TooManyRequests' },
  requestHeaderFieldsTooLarge: { status: 431, code: 'RequestHeaderFieldsTooLarge' },
  generalException: { status: 500, code: 'generalException' },
} as const satisfies Record<string, HttpErrorDefinition>;

/** One HTTP-edge error: its status and wire code. */
export interface HttpErrorDefinition {
  readonly status: number;
  readonly code: string;
}

export type HttpErrorCodeEntry = (typeof HttpErrorCodes)[keyof typeof HttpErrorCodes];

/** Thrown by the HTTP pipeline for an HttpErrorCodes entry; errorResponse renders it. */
export class HttpError extends Error {
  constructor(
    readonly definition: HttpErrorCodeEntry,
    message: string,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}
