import { HttpHandler, HttpRequest, HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type { ZodType } from 'zod';
import type { App } from '../../shared/app';
import { describeAllowed } from '../../shared/domain/auth/describeAccess';
import { isAllowed, Principal } from '../../shared/domain/auth/principal';
import { DomainError } from '../../shared/domain/errors';
import { ErrorCodes } from '../../shared/domain/errorCodes';
import { describeZodError, errorResponse } from './errorResponse';
import { bearerTokenOf } from './bearerToken';
import { rateLimitRefusal } from './clientRateLimit';
import { HttpError, HttpErrorCodes } from './httpErrors';
import { publicOrigin } from './forwarded';
import { HttpFunction } from './httpFunction';

export const MAX_BODY_BYTES = 1024 * 1024;
const ANONYMOUS: Principal = { permissions: [], roleTemplateIds: [], scopes: [] };

async function authenticate(app: App, request: HttpRequest, fn: HttpFunction): Promise<Principal> {
  if (fn.access === 'anonymous') return ANONYMOUS;
  const token = bearerTokenOf(request.headers.get('authorization'));
  // Sign-in tokens act for the signed-in user only; admin routes take admin tokens.
  const principal = await (fn.access.signedInUser ? app.tokens.signedInUserVerifier : app.tokens.verifier).verify(
    token,
  );
  if (fn.access.signedInUser && !principal.userId) {
    // As Graph: a valid app-only token on a signed-in-user route is a bad request, not a denial.
    throw new DomainError(
      ErrorCodes.badRequest,
      `/me and self-service requests are only valid with a delegated (user) token; this app-only token has no signed-in user.`,
    );
  }
  if (!isAllowed(principal, fn.access)) {
    throw new DomainError(
      ErrorCodes.authorizationRequestDenied,
      `Insufficient privileges to complete the operation: the token's roles and permissions do not allow it to ${fn.access.action}. ${describeAllowed(fn.access)}`,
    );
  }
  return principal;
}

function parse<T>(schema: ZodType<T> | undefined, value: unknown, where: string, notFoundMessage?: string): T {
  if (!schema) return value as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  if (notFoundMessage) throw new DomainError(ErrorCodes.resourceNotFound, notFoundMessage);
  throw new DomainError(ErrorCodes.badRequest, describeZodError(result.error, where));
}

async function readJsonBody(request: HttpRequest): Promise<unknown> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES)
    throw new HttpError(
      HttpErrorCodes.payloadTooLarge,
      `The request body is ${declared} bytes; at most ${MAX_BODY_BYTES} bytes are accepted.`,
    );
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new HttpError(HttpErrorCodes.payloadTooLarge, `The request body is over ${MAX_BODY_BYTES} bytes.`);
  // An empty body reads as `{}`: the schema then says what is missing (or accepts all-optional bodies).
  if (text.trim() === '') return {};
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw new HttpError(
      HttpErrorCodes.unsupportedMediaType,
      `Content-Type '${type || '<none>'}' is not supported; expected 'application/json'.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DomainError(ErrorCodes.badRequest, `The request body is not valid JSON: ${(e as Error).message}.`);
  }
}

/**
 * The client's view of our base URL. X-Forwarded-Proto/Host count only with TRUST_PROXY: otherwise
 * any client could make the links we write point elsewhere. (The local host has already rewritten
 * `request.url` to the public URL; on Azure the platform's own URL is used unless told to trust.)
 */
const baseUrlOf = (request: HttpRequest, trustProxy: boolean): string =>
  publicOrigin(request.url, request.headers, trustProxy);

/** `url` with its origin replaced by `origin` (path and query kept). */
function rebase(url: string, origin: string): string {
  const { pathname, search } = new URL(url);
  return `${origin}${pathname}${search}`;
}

/**
 * Wraps a declared function as an Azure `HttpHandler`: authenticate and authorise, validate params,
 * query and body with the declared zod schemas, call the handler, map errors to Graph's shape.
 */
export function toAzureHandler(fn: HttpFunction, getApp: () => Promise<App>): HttpHandler {
  return async (request, context): Promise<HttpResponseInit> => {
    const requestId =
      request.headers.get('client-request-id') ??
      (context.invocationId !== 'unknown' ? context.invocationId : randomUUID());
    try {
      const app = await getApp();
      // Before any other work: a refused request must cost next to nothing.
      const refusal = fn.rateLimited ? await rateLimitRefusal(app, request, requestId) : undefined;
      if (refusal)
        return { ...refusal, headers: { 'request-id': requestId, ...(refusal.headers as Record<string, string>) } };
      const principal = await authenticate(app, request, fn);
      const params = parse(
        fn.params,
        { ...request.params },
        'route parameter',
        fn.paramsNotFound ? `Resource not found for the segment '${new URL(request.url).pathname}'.` : undefined,
      );
      const query = parse(fn.query, Object.fromEntries(request.query.entries()), 'query');
      const body = fn.body ? parse(fn.body, await readJsonBody(request), 'body') : undefined;
      const baseUrl = baseUrlOf(request, app.config.trustProxy);
      const response = await fn.handler({
        params,
        query,
        body,
        principal,
        app,
        request,
        context,
        baseUrl,
        publicUrl: rebase(request.url, baseUrl),
      });
      return { ...response, headers: { 'request-id': requestId, ...(response.headers as Record<string, string>) } };
    } catch (error) {
      return errorResponse(error, requestId, context);
    }
  };
}
