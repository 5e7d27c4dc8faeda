/**
 * Matches request paths against Azure Functions route templates, as the Functions host does:
 * literal segments (case-insensitive), `{name}`, `{name:regex(...)}`, `{name?}` and `{*name}`.
 */
type Segment =
  | { kind: 'literal'; text: string }
  | { kind: 'param'; name: string; pattern?: RegExp; optional: boolean }
  | { kind: 'catchAll'; name: string };

export interface CompiledRoute {
  template: string;
  segments: Segment[];
  /** Higher is more specific: literals beat constrained parameters beat plain ones. */
  specificity: number[];
}

function parseSegment(text: string): Segment {
  const param = /^\{(\*?)(\w+)(\?)?(?::(.+))?\}$/.exec(text);
  if (!param) return { kind: 'literal', text: text.toLowerCase() };
  const [, star, name, optional, constraint] = param;
  if (star) return { kind: 'catchAll', name };
  const regex = constraint && /^regex\((.*)\)$/.exec(constraint);
  return { kind: 'param', name, optional: !!optional, pattern: regex ? new RegExp(regex[1], 'i') : undefined };
}

export function compileRoute(template: string): CompiledRoute {
  const segments = template.split('/').filter(Boolean).map(parseSegment);
  const specificity = segments.map((s) => (s.kind === 'literal' ? 3 : s.kind === 'param' ? (s.pattern ? 2 : 1) : 0));
  return { template, segments, specificity };
}

/** A path's decoded segments, once per request for every route tried; undefined when one does not decode. */
export function pathSegments(path: string): string[] | undefined {
  try {
    return path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** Route parameters when the path matches, else undefined. `path` has no leading slash issues. */
export function matchRoute(route: CompiledRoute, path: string): Record<string, string> | undefined {
  const parts = pathSegments(path);
  return parts && matchSegments(route, parts);
}

/** {@link matchRoute} over segments already split and decoded by {@link pathSegments}. */
export function matchSegments(route: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  if (parts.length > route.segments.length && route.segments.at(-1)?.kind !== 'catchAll') return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const segment = route.segments[i];
    const part = parts[i];
    if (segment.kind === 'catchAll') {
      params[segment.name] = parts.slice(i).join('/');
      return params;
    }
    if (part === undefined) {
      if (segment.kind === 'param' && segment.optional) continue;
      return undefined;
    }
    if (segment.kind === 'literal') {
      if (part.toLowerCase() !== segment.text) return undefined;
    } else {
      if (segment.pattern && !segment.pattern.test(part)) return undefined;
      params[segment.name] = part;
    }
  }
  return parts.length <= route.segments.length ? params : undefined;
}

/** Sorts most specific first, so `users/$ref` wins over `users/{id}` as in ASP.NET routing. */
export function bySpecificity(a: CompiledRoute, b: CompiledRoute): number {
  for (let i = 0; i < Math.max(a.specificity.length, b.specificity.length); i++) {
    const d = (b.specificity[i] ?? -1) - (a.specificity[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
