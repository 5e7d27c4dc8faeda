import fc from 'fast-check';
import { httpFunctions } from '../../../functions/registry';

/** One method of one route, as the host serves it. */
export interface RouteUnderFuzz {
  method: string;
  /** The route template, as registered (`{ver:regex(...)}/users/{userId}`) or a host extra. */
  route: string;
  access: 'anonymous' | 'admin' | 'user';
  hasBody: boolean;
  /** Query names the route reads. */
  queryNames: string[];
}

const PARAM = /\{\*?([A-Za-z]+)(?::[^}]*)?\}/g;

/** Every method of every function in the registry, plus what the local host serves beside them. */
export function routesUnderFuzz(): RouteUnderFuzz[] {
  const routes: RouteUnderFuzz[] = [];
  for (const fn of httpFunctions()) {
    const access = fn.access === 'anonymous' ? 'anonymous' : fn.access.signedInUser ? 'user' : 'admin';
    const shape = (fn.query as { shape?: Record<string, unknown> } | undefined)?.shape;
    const queryNames = shape ? Object.keys(shape) : [];
    for (const method of fn.methods)
      routes.push({ method, route: fn.route, access, hasBody: fn.body !== undefined, queryNames });
  }
  // Host extras: static files, the durable management webhooks, anything else (404).
  routes.push({ method: 'GET', route: 'web/{*path}', access: 'anonymous', hasBody: false, queryNames: [] });
  routes.push({
    method: 'GET',
    route: 'runtime/webhooks/durabletask/{*path}',
    access: 'anonymous',
    hasBody: false,
    queryNames: ['showInput', 'showHistory'],
  });
  routes.push({ method: 'GET', route: '{*unknown}', access: 'anonymous', hasBody: false, queryNames: [] });
  routes.push({ method: 'POST', route: '{*unknown}', access: 'anonymous', hasBody: true, queryNames: [] });
  return routes;
}

/** The names of a template's parameters, in order. */
export function paramNames(route: string): string[] {
  return [...route.matchAll(PARAM)].map((m) => m[1]);
}

/** Fills a template's parameters with the given (already encoded) segments. */
export function fillRoute(route: string, values: Record<string, string>): string {
  return `/${route.replace(PARAM, (_, name: string) => values[name] ?? 'x')}`;
}

/** Path segments an attacker would try: garbage, traversal, bad percent-encoding, huge, unicode. */
export const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map(encodeURIComponent),
  fc.constantFrom(
    '..',
    '%2e%2e',
    '..%2f..%2fpackage.json',
    '%2e%2e%2f%2e%2e%2fpasskeys.db',
    '%00',
    '%',
    '%zz',
    '%E0%A4%A',
    '%C0%AF',
    '%FF',
    ';',
    '$ref',
    '$value',
    "'",
    '%27%20OR%201%3D1',
    '00000000-0000-0000-0000-000000000000',
    'creationOptions(challengeTimeoutInMinutes=99999999999999999999)',
    'creationOptions(',
    'creationOptions()',
    'creationOptions(challengeTimeoutInMinutes=-1)',
  ),
  fc.integer({ min: 300, max: 4_000 }).map((n) => 'a'.repeat(n)),
);

/** Query values: wrong types, out-of-range numbers, OData injection, huge. */
export const hostileQueryValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom(
    '-1',
    '0',
    '1e309',
    'NaN',
    '99999999999999999999',
    '1.5',
    '',
    "startswith(displayName,'",
    "userPrincipalName eq 'a' or 1 eq 1",
    "displayName eq ''''",
    'id,,,',
    '*',
    'true',
    '[]',
    '{}',
  ),
  fc.integer().map(String),
  fc.integer({ min: 300, max: 3_000 }).map((n) => 'x'.repeat(n)),
);
