import { HttpResponseInit, InvocationContext } from '@azure/functions';
import { ZodError } from 'zod';
import { DomainError, DomainErrorKind, isDomainError, StoreUnavailableError } from '../../shared/domain/errors';
import { json } from './responses';

const STATUS: Record<DomainErrorKind, number> = {
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  conflict: 409,
  preconditionFailed: 412,
  payloadTooLarge: 413,
  unsupportedMediaType: 415,
  tooManyRequests: 429,
  serviceUnavailable: 503,
};

/** Headers a domain error asks for: a bearer challenge on 401, a retry delay on 503. */
function headersOf(error: DomainError): Record<string, string> {
  if (error.kind === 'unauthorized') return { 'WWW-Authenticate': 'Bearer' };
  if (error instanceof StoreUnavailableError) return { 'Retry-After': String(error.retryAfterSeconds) };
  if (error.kind === 'serviceUnavailable') return { 'Retry-After': '1' };
  return {};
}

/** Graph's error body. `innerError` carries the request id, never a stack trace. */
export function graphError(status: number, code: string, message: string, requestId: string, headers: Record<string, string> = {}): HttpResponseInit {
  return json(status, { error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': requestId, 'client-request-id': requestId } } }, headers);
}

/** "Invalid value for 'keyRestrictions.aaGuids[0]': expected a GUID ...; ..." */
export function describeZodError(error: ZodError, where: string): string {
  const parts = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${String(p)}` : String(p)), '');
    if (issue.code === 'unrecognized_keys') return `Unknown ${where} propert${issue.keys.length > 1 ? 'ies' : 'y'} ${issue.keys.map((k) => `'${path ? `${path}.` : ''}${k}'`).join(', ')}`;
    return `Invalid ${where} value${path ? ` for '${path}'` : ''}: ${issue.message}`;
  });
  return parts.join('; ') + '.';
}

/** The one place where domain errors become HTTP statuses. */
export function errorResponse(error: unknown, requestId: string, context: InvocationContext): HttpResponseInit {
  if (isDomainError(error)) {
    if (error.kind === 'serviceUnavailable') context.warn(`${context.functionName} (request-id ${requestId}): ${error.message}`);
    return graphError(STATUS[error.kind], error.code, error.message, requestId, headersOf(error));
  }
  context.error(`Unhandled error in ${context.functionName} (request-id ${requestId}):`, error);
  return graphError(500, 'generalException', `An internal error occurred. Quote request-id ${requestId} when reporting it.`, requestId);
}

export { DomainError };
