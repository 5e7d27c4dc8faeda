/**
 * Every event type this service publishes (README "Events, audit log and webhooks"). Webhook
 * subscriptions are checked against this list, so a code that publishes a new type adds it here.
 */
export const KNOWN_EVENT_TYPES = [
  'fido2Policy.updated',
  'fido2Method.registered',
  'fido2Method.deleted',
  'fido2Method.signInRefused',
  'user.created',
  'user.updated',
  'user.deleted',
  'user.upnChanged',
  'user.reEnrolmentDeadlinePassed',
  'group.created',
  'group.memberAdded',
  'group.memberRemoved',
  'provisioningJob.created',
  'provisioningJob.completed',
  'provisioningJob.cancelled',
  'webhookSubscription.created',
  'webhookSubscription.deleted',
] as const;

export type KnownEventType = (typeof KNOWN_EVENT_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(KNOWN_EVENT_TYPES);

/** `fido2Method.*`, `user.*`, ...: the prefixes that match at least one known type. */
export const KNOWN_EVENT_TYPE_PREFIXES: readonly string[] = [...new Set(KNOWN_EVENT_TYPES.map((t) => `${t.slice(0, t.lastIndexOf('.'))}.*`))];

/**
 * Whether a subscription pattern (matchesEventType.ts: `*`, an exact type, `prefix.*`) can ever
 * match: an exact type must be a known one, a prefix must be a prefix of one. Case matters, as it
 * does when matching (`fido2policy.updated` would never match anything).
 */
export function isKnownEventTypePattern(pattern: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) {
    const prefix = pattern.slice(0, -1);
    return KNOWN_EVENT_TYPES.some((t) => t.startsWith(prefix));
  }
  return KNOWN.has(pattern);
}

/** The known type or prefix an unknown pattern was probably meant to be (same letters, other case). */
export function knownPatternLike(pattern: string): string | undefined {
  const lower = pattern.toLowerCase();
  return ['*', ...KNOWN_EVENT_TYPE_PREFIXES, ...KNOWN_EVENT_TYPES].find((known) => known.toLowerCase() === lower);
}
