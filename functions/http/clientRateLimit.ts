import { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { App } from '../../shared/app';
import { RateLimiter } from '../../shared/domain/rateLimit/rateLimiter';
import { httpErrorResponse } from './errorResponse';
import { HttpErrorCodes } from './httpErrors';
import { clientAddress } from './forwarded';

const WINDOW_MS = 60_000;
/** One limiter per app (per process on Azure, per local host in tests), built on first use. */
const limiters = new WeakMap<App, RateLimiter>();

/**
 * RATE_LIMIT_PER_MINUTE on the unauthenticated ceremony routes, per client address: the last
 * X-Forwarded-For entry, which the local host always writes itself and which the Azure front end
 * appends. Undefined when the request may go on; else Graph's 429 with Retry-After.
 */
export function rateLimitRefusal(app: App, request: HttpRequest, requestId: string): HttpResponseInit | undefined {
  const perMinute = app.config.rateLimitPerMinute;
  if (!perMinute) return undefined;
  let limiter = limiters.get(app);
  if (!limiter) limiters.set(app, (limiter = new RateLimiter({ capacity: perMinute, windowMs: WINDOW_MS })));
  const address = clientAddress(undefined, request.headers.get('x-forwarded-for') ?? undefined, true) ?? 'unknown';
  const { allowed, retryAfterSeconds } = limiter.take(address, app.clock.now().getTime());
  if (allowed) return undefined;
  return httpErrorResponse(
    HttpErrorCodes.tooManyRequests,
    `Too many sign-in requests from this address: at most ${perMinute} per minute are accepted. Retry after ${retryAfterSeconds} seconds.`,
    requestId,
    { 'Retry-After': String(retryAfterSeconds) },
  );
}
