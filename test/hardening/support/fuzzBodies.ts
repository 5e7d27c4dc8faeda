import fc from 'fast-check';
import { FRONTEND_ORIGIN } from '../../support/localService';
import type { RouteUnderFuzz } from './fuzzRoutes';
import { hostileAttestationObject, hostileAuthenticatorData } from './hostileCbor';

/*
 * Bodies for the fuzz suite: recipes (what a case does to a body) as fast-check arbitraries, and
 * how a recipe turns a valid body for the route into a hostile one.
 */

const B64URL_KEYS = new Set([
  'id',
  'rawId',
  'clientDataJSON',
  'attestationObject',
  'authenticatorData',
  'signature',
  'userHandle',
]);
const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** How one case builds its body. */
export type BodyRecipe =
  | { kind: 'none' }
  | { kind: 'text'; text: string; contentType: string }
  | { kind: 'mutate'; pick: number; value: Json; contentType: string }
  | { kind: 'huge'; pick: number; size: number }
  | { kind: 'cbor'; bytes: Uint8Array }
  | { kind: 'clientData'; clientData: Json }
  | { kind: 'wrongType'; contentType: string };

/** The media types the pipeline reads as JSON (functions/http/pipeline.ts). */
export const JSON_TYPE = /^application\/([\w.+-]*\+)?json\b/i;

const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    '',
    'application/json; charset=utf-16',
    'application/jsonx',
    'application/xml',
    'application/merge-patch+json',
    'APPLICATION/JSON',
    'application/json;;;',
  ),
);

const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -0.5,
    [],
    {},
    [null],
    { $ref: '#' },
    { __proto__: { isAdmin: true } } as Json,
    { constructor: { prototype: { polluted: true } } },
  ),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

const hostileB64url: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    '=',
    '====',
    'a',
    'ab=c',
    '!!!!',
    'a b',
    'a+b/c',
    '\u0000',
    'Zm9v\n',
    '😀',
    '-_-_',
    'A'.repeat(16_385),
  ),
  fc.uint8Array({ maxLength: 200 }).map(b64url),
  fc.string({ maxLength: 40 }),
);

/** The recipes that fit a route: every one for a body route, CBOR and clientDataJSON ones for ceremony routes. */
export function bodyRecipe(
  route: RouteUnderFuzz,
  rpId: string,
  validAttestation: Uint8Array,
): fc.Arbitrary<BodyRecipe> {
  if (!route.hasBody) return fc.constant({ kind: 'none' });
  const ceremony = /webauthn\/(registration|authentication)\/verify|fido2Methods$|\/credential$/.test(route.route);
  const recipes: Array<fc.Arbitrary<BodyRecipe>> = [
    fc.record({
      kind: fc.constant('text' as const),
      text: fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
      contentType,
    }),
    fc.record({
      kind: fc.constant('text' as const),
      text: fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.constantFrom(
          '{',
          '{"a":',
          '[1,2',
          '{"a":1}}',
          'nul',
          '\u0000',
          '{"__proto__":{"x":1}}',
          '{"a":1,"a":2}',
          '\ufeff{}',
          '1',
          '"x"',
          'true',
          '[]',
          'null',
        ),
        fc.integer({ min: 1_000, max: 200_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
        fc.integer({ min: 1_000, max: 100_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
      ),
      contentType,
    }),
    fc.record({
      kind: fc.constant('mutate' as const),
      pick: fc.nat(),
      value: fc.oneof(hostileValue, hostileB64url),
      contentType: fc.constant('application/json'),
    }),
    fc.record({
      kind: fc.constant('huge' as const),
      pick: fc.nat(),
      size: fc.oneof(fc.integer({ min: 20_000, max: 300_000 }), fc.constant(1_100_000)),
    }),
    fc.record({
      kind: fc.constant('wrongType' as const),
      contentType: fc.constantFrom(
        'text/plain',
        'application/x-www-form-urlencoded',
        'text/html',
        'application/octet-stream',
        'image/png',
      ),
    }),
  ];
  if (ceremony) {
    const cbor = route.route.includes('authentication')
      ? hostileAuthenticatorData(rpId)
      : hostileAttestationObject(rpId, validAttestation);
    recipes.push(
      fc.record({ kind: fc.constant('cbor' as const), bytes: cbor }),
      fc.record({ kind: fc.constant('cbor' as const), bytes: cbor }),
    );
    recipes.push(
      fc.record({
        kind: fc.constant('clientData' as const),
        clientData: fc.oneof(
          hostileValue,
          fc.record({
            type: fc.oneof(fc.constantFrom('webauthn.create', 'webauthn.get'), hostileValue),
            challenge: fc.oneof(hostileB64url, hostileValue),
            origin: fc.oneof(fc.constant(FRONTEND_ORIGIN), hostileValue),
          }) as fc.Arbitrary<Json>,
        ),
      }),
    );
  }
  return fc.oneof(...recipes);
}

/** Paths of every value in a JSON document (not inside clientExtensionResults, which takes anything). */
function leaves(value: Json, path: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [path];
  const out: Array<Array<string | number>> = path.length ? [path] : [];
  for (const [k, v] of Object.entries(value))
    if (k !== 'clientExtensionResults') out.push(...leaves(v as Json, [...path, Array.isArray(value) ? Number(k) : k]));
  return out;
}

function setAt(doc: Json, path: Array<string | number>, value: Json): Json {
  if (path.length === 0) return value;
  const copy: Json = Array.isArray(doc) ? [...doc] : { ...(doc as Record<string, Json>) };
  const [head, ...rest] = path;
  (copy as Record<string, Json>)[head] = setAt((doc as Record<string, Json>)[head], rest, value);
  return copy;
}

const getAt = (doc: Json, path: Array<string | number>): Json =>
  path.reduce<Json>((d, p) => (d as Record<string, Json>)[p], doc);

/** A hostile value that is wrong for the leaf it replaces (a string where a number goes, ...). */
function wrongFor(current: Json, key: string | number | undefined, value: Json): Json | undefined {
  if (typeof value === 'string')
    return typeof key === 'string' && B64URL_KEYS.has(key) ? value : typeof current === 'string' ? undefined : value;
  if (
    typeof current === typeof value &&
    Array.isArray(current) === Array.isArray(value) &&
    (current === null) === (value === null)
  )
    return undefined;
  return value;
}

/**
 * The request body of a recipe: raw text as is, or the route's valid body (`template`) changed as
 * the recipe says; `binaryField` is where hostile CBOR goes. 'skip' when the recipe does not apply.
 */
export async function bodyOf(
  recipe: BodyRecipe,
  template: () => Promise<Record<string, Json>>,
  binaryField: string,
): Promise<{ text?: string; contentType?: string } | 'skip'> {
  if (recipe.kind === 'none') return {};
  if (recipe.kind === 'text') return { text: recipe.text, contentType: recipe.contentType };
  const doc = await template();
  if (recipe.kind === 'wrongType') return { text: JSON.stringify(doc), contentType: recipe.contentType };
  const paths = leaves(doc);
  if (recipe.kind === 'mutate' || recipe.kind === 'huge') {
    if (paths.length === 0) return 'skip';
    const path = paths[recipe.pick % paths.length];
    const value =
      recipe.kind === 'huge'
        ? 'A'.repeat(recipe.size)
        : wrongFor(getAt(doc, path), path[path.length - 1], recipe.value);
    if (value === undefined) return 'skip';
    return { text: JSON.stringify(setAt(doc, path, value)), contentType: 'application/json' };
  }
  const field = recipe.kind === 'clientData' ? 'clientDataJSON' : binaryField;
  const path = paths.find((p) => p[p.length - 1] === field);
  if (!path) return 'skip';
  const bytes = recipe.kind === 'cbor' ? recipe.bytes : Buffer.from(JSON.stringify(recipe.clientData));
  return { text: JSON.stringify(setAt(doc, path, b64url(bytes))), contentType: 'application/json' };
}
