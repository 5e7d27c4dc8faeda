/**
 * Whether a webhook subscription's event types take an event: `*` takes every event, `prefix.*`
 * every type that starts with `prefix.` (e.g. `fido2Method.*`), anything else only that exact type
 * (case-sensitive). Subscriptions only take patterns that match a known type (eventTypes.ts).
 */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some(
    (pattern) =>
      pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}
