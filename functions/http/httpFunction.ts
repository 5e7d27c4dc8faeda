import { HttpMethod, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { ZodType } from 'zod';
import type { App } from '../../shared/app';
import { AccessRule, Principal } from '../../shared/domain/auth/principal';

/** What a handler receives: inputs already validated by the declared zod schemas. */
export interface HttpInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Set when the route requires a token. */
  principal: Principal;
  app: App;
  request: HttpRequest;
  context: InvocationContext;
  /** Base URL the client used (scheme://host[:port]), for @odata.context and links. */
  baseUrl: string;
  /** The request's URL as the client used it (`baseUrl` + path and query), for @odata.nextLink. */
  publicUrl: string;
}

export interface ResponseDoc {
  description: string;
  schema?: ZodType;
}

/**
 * One HTTP function, declared once: Azure registers it with `app.http`, the local host mounts it,
 * the OpenAPI document is generated from it.
 */
export interface HttpFunction<P = unknown, Q = unknown, B = unknown> {
  name: string;
  /** An Azure Functions route template (`{name}`, `{name:regex(...)}`, `{*rest}`). */
  route: string;
  methods: HttpMethod[];
  /** `anonymous`: no token; otherwise the access rule a bearer token must satisfy. */
  access: AccessRule | 'anonymous';
  params?: ZodType<P>;
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /** The handler uses `df.getClient(context)`: registered with a durable client input. */
  durableClient?: boolean;
  /** An unauthenticated ceremony route: RATE_LIMIT_PER_MINUTE per client address applies (429 beyond it). */
  rateLimited?: boolean;
  /** When a route parameter fails validation the resource does not exist: 404, not 400. */
  paramsNotFound?: boolean;
  doc: { summary: string; tags: string[]; responses: Record<number, ResponseDoc>; hidden?: boolean };
  handler(input: HttpInput<P, Q, B>): Promise<HttpResponseInit>;
}

/** Keeps the generic types of a definition (helps inference at the declaration site). */
export const defineHttpFunction = <P, Q, B>(fn: HttpFunction<P, Q, B>): HttpFunction<P, Q, B> => fn;
