import { HttpMethod, HttpResponseInit } from '@azure/functions';
import type { ZodType } from 'zod';
import { GraphVersion } from '../../shared/schemas/common.schema';
import { z } from '../../shared/schemas/zod';
import { errorDocs, ErrorDocRequest } from './errorDocs';
import { HttpFunction, HttpInput } from './httpFunction';

/**
 * `{ver}` in a path: the Graph versions we serve, as an Azure route constraint, so a path under
 * another version does not match (and falls through to the next route, or 404) as on Graph.
 */
export const VERSION_SEGMENT = '{ver:regex(^(beta|v1\\.0)$)}';

/** The name of one `{name}` / `{name:constraint}` template segment. */
type SegmentName<S extends string> = S extends `${infer Name}:${string}` ? Name : S;

/** The parameter names of a route template: `'{ver}/users/{userId}'` → `'ver' | 'userId'`. */
export type RouteParamNames<Path extends string> = Path extends `${string}{${infer Segment}}${infer Rest}`
  ? SegmentName<Segment> | RouteParamNames<Rest>
  : never;

/** One zod schema per route parameter other than `{ver}` (which is always `GraphVersion`). */
export type ParamSchemas<Path extends string> = { [K in Exclude<RouteParamNames<Path>, 'ver'>]: ZodType };

/** What a handler receives as `params`: `ver` when the path has `{ver}`, and each parameter parsed by its schema. */
export type RouteParams<Path extends string, S> = ('ver' extends RouteParamNames<Path>
  ? { ver: z.infer<typeof GraphVersion> }
  : unknown) & {
  [K in keyof S]: S[K] extends ZodType<infer T> ? T : never;
};

/** `params`: a schema for each parameter of the path but `ver`; required (and checked against the path) when it has any. */
type ParamsField<Path extends string, S> = [Exclude<RouteParamNames<Path>, 'ver'>] extends [never]
  ? { params?: undefined }
  : { params: S };

/**
 * A route declared with {@link graphRoute}: an {@link HttpFunction} without its route template
 * and methods (the call names them), with parameter schemas per segment and error docs by status.
 */
export interface RouteDefinition<Path extends string, S extends ParamSchemas<Path>, Q, B> extends Pick<
  HttpFunction,
  'name' | 'access' | 'durableClient' | 'rateLimited'
> {
  query?: ZodType<Q>;
  body?: ZodType<B>;
  /**
   * A parameter that fails its schema names no resource: 404 (default, as Graph answers for an
   * unknown id), or `false` for 400 when the parameter is an input (a function's arguments).
   */
  paramsNotFound?: boolean;
  /** `responses`: the answers that are not errors; `errors`: beyond the ones the declaration implies, or another wording. */
  doc: HttpFunction['doc'] & { errors?: ErrorDocRequest };
  handler(input: HttpInput<RouteParams<Path, S>, Q, B>): Promise<HttpResponseInit>;
}

const namesIn = (path: string): string[] => [...path.matchAll(/\{\*?(\w+)[^}]*\}/g)].map((m) => m[1]);

/**
 * Declares an HTTP function the one way every route is declared: `method` on `path` (the route
 * template, `{ver}` standing for {@link VERSION_SEGMENT}, other parameters as Azure writes them),
 * the version validated, the parameters typed from the path, unknown ids answered 404, and the
 * error answers of the OpenAPI document taken from one table ({@link errorDocs}).
 */
export function graphRoute<
  Path extends string,
  S extends ParamSchemas<Path> = ParamSchemas<Path>,
  Q = unknown,
  B = unknown,
>(
  method: HttpMethod,
  path: Path,
  def: RouteDefinition<Path, S, Q, B> & ParamsField<Path, S>,
): HttpFunction<RouteParams<Path, S>, Q, B> {
  const names = namesIn(path);
  const schemas: Record<string, ZodType> = { ...(def.params ?? {}) };
  const missing = names.filter((n) => n !== 'ver' && !schemas[n]);
  const extra = Object.keys(schemas).filter((n) => !names.includes(n));
  if (missing.length || extra.length || 'ver' in schemas) {
    throw new Error(
      `Route ${def.name} (${method} ${path}): parameter schemas must match the path: missing [${missing.join(', ')}], not in the path [${extra.join(', ')}]${'ver' in schemas ? ", 'ver' is implied" : ''}.`,
    );
  }
  const hasParams = names.length > 0;
  const paramsNotFound = hasParams && (def.paramsNotFound ?? true);
  const { errors, ...doc } = def.doc;
  return {
    name: def.name,
    route: path.replace('{ver}', VERSION_SEGMENT),
    methods: [method],
    access: def.access,
    // `ver` first, as the path reads (the OpenAPI document lists parameters in this order).
    params: hasParams
      ? (z.object({ ...(names.includes('ver') ? { ver: GraphVersion } : {}), ...schemas }) as unknown as ZodType<
          RouteParams<Path, S>
        >)
      : undefined,
    paramsNotFound: paramsNotFound || undefined,
    query: def.query,
    body: def.body,
    durableClient: def.durableClient,
    rateLimited: def.rateLimited,
    doc: {
      ...doc,
      responses: {
        ...doc.responses,
        ...errorDocs(
          {
            authenticated: def.access !== 'anonymous',
            validatesInput: !!def.query || !!def.body || (hasParams && !paramsNotFound),
            namesResource: names.some((n) => n !== 'ver') && paramsNotFound,
            rateLimited: !!def.rateLimited,
          },
          errors,
        ),
      },
    },
    handler: def.handler,
  };
}
