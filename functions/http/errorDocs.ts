import { GraphError } from '../../shared/schemas/common.schema';
import { ResponseDoc } from './httpFunction';

/** The error statuses the API documents; each answers a Graph error body. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 412 | 429;

/** The one table of error answers in /openapi.json: each route documents the ones that apply to it. */
export const ERROR_DOCS: Readonly<Record<ErrorStatus, string>> = {
  400: 'Invalid input',
  401: 'No valid token',
  403: 'Not allowed',
  404: 'No such resource',
  409: 'Conflicts with the current state',
  412: 'If-Match did not match',
  429: 'Over RATE_LIMIT_PER_MINUTE for this client address (Retry-After says when to retry)',
};

/** Per route: extra statuses (`true`: the table's wording) or another wording for the situation. */
export type ErrorDocRequest = Partial<Record<ErrorStatus, string | true>>;

/** What a route declares, from which its usual errors follow. */
export interface ErrorFacts {
  /** Takes a token: 401 without a valid one, 403 when it does not allow the call. */
  authenticated: boolean;
  /** Parses a query, a body or input parameters: 400 when they fail. */
  validatesInput: boolean;
  /** Its parameters name a resource: 404 when there is none. */
  namesResource: boolean;
  /** Limited per client address: 429. */
  rateLimited: boolean;
}

/** The error responses of a route: the ones its declaration implies, plus (or reworded by) `requested`. */
export function errorDocs(facts: ErrorFacts, requested: ErrorDocRequest = {}): Record<number, ResponseDoc> {
  const implied: ErrorStatus[] = [
    ...(facts.validatesInput ? [400 as const] : []),
    ...(facts.authenticated ? [401 as const, 403 as const] : []),
    ...(facts.namesResource ? [404 as const] : []),
    ...(facts.rateLimited ? [429 as const] : []),
  ];
  const statuses = [...new Set([...implied, ...(Object.keys(requested).map(Number) as ErrorStatus[])])].sort(
    (a, b) => a - b,
  );
  return Object.fromEntries(
    statuses.map((status) => {
      const wording = requested[status];
      return [status, { description: typeof wording === 'string' ? wording : ERROR_DOCS[status], schema: GraphError }];
    }),
  );
}
