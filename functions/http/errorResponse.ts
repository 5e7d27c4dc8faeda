import { HttpResponseInit, InvocationContext } from '@azure/functions';
import { z, ZodError } from 'zod';
import {
  DomainError,
  DomainErrorKind,
  isDomainError,
  StoreUnavailableError,
  UnknownCredentialError,
} from '../../shared/domain/errors';
import type { GraphError } from '../../shared/schemas/common.schema';
import { HttpError, HttpErrorCodeEntry, HttpErrorCodes } from './httpErrors';
import { json } from './responses';

/** The HTTP status of each domain error kind: the only place the domain meets HTTP. */
export const STATUS_OF_KIND: Readonly<Record<DomainErrorKind, number>> = {
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  preconditionFailed: 412,
  serviceUnavailable: 503,
};

/** Headers a domain error asks for: a bearer challenge on 401, a retry delay on 503. */
function headersOf(error: DomainError): Record<string, string> {
  if (error.kind === 'unauthorized') return { 'WWW-Authenticate': 'Bearer' };
  if (error instanceof StoreUnavailableError) return { 'Retry-After': String(error.retryAfterSeconds) };
  if (error.kind === 'serviceUnavailable') return { 'Retry-After': '1' };
  return {};
}

/** The error body as /openapi.json documents it. */
export type GraphErrorBody = z.infer<typeof GraphError>;

/**
 * Graph's error body. `innerError` carries the date and request id only: never a stack trace, a
 * cause or other details (the message is the whole explanation a client gets).
 */
export function graphErrorBody(code: string, message: string, requestId: string): GraphErrorBody {
  return {
    error: {
      code,
      message,
      innerError: { date: new Date().toISOString(), 'request-id': requestId, 'client-request-id': requestId },
    },
  };
}

/** Graph's error response with a status. */
export function graphError(
  status: number,
  code: string,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return json(status, graphErrorBody(code, message, requestId), headers);
}

/** The response for an HTTP-edge error (./httpErrors.ts). */
export function httpErrorResponse(
  definition: HttpErrorCodeEntry,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): HttpResponseInit {
  return graphError(definition.status, definition.code, message, requestId, headers);
}

/** The last-resort 500: says nothing of the error but the request id to quote. */
export function internalErrorResponse(requestId: string): HttpResponseInit {
  return httpErrorResponse(
    HttpErrorCodes.generalException,
    `An internal error occurred. Quote request-id ${requestId} when reporting it.`,
    requestId,
  );
}

/** "Invalid value for 'keyRestrictions.aaGuids[0]': expected a GUID ...; ..." */
export function describeZodError(error: ZodError, where: string): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.reduce<string>(
      (acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)),
      '',
    );
    if (issue.code === 'unrecognized_keys')
      return `Unknown ${where} propert${issue.keys.length > 1 ? 'ies' : 'y'} ${issue.keys.map((k) => `'${path ? `${path}.` : ''}${k}'`).join(', ')}`;
    return `Invalid ${where} value${path ? ` for '${path}'` : ''}: ${issue.message}`;
  });
  return parts.join('; ') + '.';
}

/** The one place where domain errors become HTTP statuses. */
export function errorResponse(error: unknown, requestId: string, context: InvocationContext): HttpResponseInit {
  if (isDomainError(error)) {
    if (error.kind === 'serviceUnavailable')
      context.warn(`${context.functionName} (request-id ${requestId}): ${error.message}`);
    const body = graphErrorBody(error.code, error.message, requestId);
    // Signal API (WebAuthn L3): beside Graph's fields, so Graph clients read the error as before.
    if (error instanceof UnknownCredentialError) body.error.signalUnknownCredential = error.signalUnknownCredential;
    return json(STATUS_OF_KIND[error.kind], body, headersOf(error));
  }
  if (error instanceof HttpError) return httpErrorResponse(error.definition, error.message, requestId);
  context.error(`Unhandled error in ${context.functionName} (request-id ${requestId}):`, error);
  return internalErrorResponse(requestId);
}
