import { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { App } from '../../shared/app';
import { httpErrorResponse } from './errorResponse';
import { HttpErrorCodes } from './httpErrors';
import { requestClientAddress } from './forwarded';

/**
 * RATE_LIMIT_PER_MINUTE on the unauthenticated ceremony routes, per client address: the last
 * X-Forwarded-For entry, which the local host always writes itself and which the Azure front end
 * appends. Undefined when the request may go on; else Graph's 429 with Retry-After.
 */
export async function rateLimitRefusal(
  app: App,
  request: HttpRequest,
  requestId: string,
): Promise<HttpResponseInit | undefined> {
  const address = requestClientAddress(request.headers) ?? 'unknown';
  const decision = await app.clientRateLimit.take(address);
  if (decision.allowed) return undefined;
  const { perMinute, retryAfterSeconds } = decision;
  return httpErrorResponse(
    HttpErrorCodes.tooManyRequests,
    `Too many sign-in requests from this address: at most ${perMinute} per minute are accepted. Retry after ${retryAfterSeconds} seconds.`,
    requestId,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}
