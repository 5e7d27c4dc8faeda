import { z } from '../../schemas/zod';
import { ActorSchema, ModifiedPropertySchema } from '../audit';
import { SignInRecordSchema } from '../signIns/signInRecord';

/**
 * Every event type this service publishes, one constant each (README "Events, audit log and
 * webhooks"). The service that makes a change names its type from here when it writes the audit
 * record (the outbox), so no wording of the audit log decides what is published. A new type is
 * added here, with the schema of its `data` in EventDataSchemas below.
 */
export const EventTypes = {
  fido2PolicyUpdated: 'fido2Policy.updated',
  fido2MethodRegistered: 'fido2Method.registered',
  fido2MethodDeleted: 'fido2Method.deleted',
  fido2MethodSignInRefused: 'fido2Method.signInRefused',
  userCreated: 'user.created',
  userUpdated: 'user.updated',
  userDeleted: 'user.deleted',
  userUpnChanged: 'user.upnChanged',
  userReEnrolmentDeadlinePassed: 'user.reEnrolmentDeadlinePassed',
  groupCreated: 'group.created',
  groupMemberAdded: 'group.memberAdded',
  groupMemberRemoved: 'group.memberRemoved',
  provisioningJobCreated: 'provisioningJob.created',
  provisioningJobCompleted: 'provisioningJob.completed',
  provisioningJobCancelled: 'provisioningJob.cancelled',
  webhookSubscriptionCreated: 'webhookSubscription.created',
  webhookSubscriptionDeleted: 'webhookSubscription.deleted',
  authenticationStrengthCreated: 'authenticationStrength.created',
  authenticationStrengthUpdated: 'authenticationStrength.updated',
  authenticationStrengthDeleted: 'authenticationStrength.deleted',
  protectedResourceCreated: 'protectedResource.created',
  protectedResourceUpdated: 'protectedResource.updated',
  protectedResourceDeleted: 'protectedResource.deleted',
  /** A sign-in attempt (success or refusal) recorded in the sign-in log; relayed from the sign-in log, not the audit log. */
  signInRecorded: 'signIn.recorded',
  /**
   * Role assignments added or removed. Published under their audit category since before types
   * were declared (`*` receivers see that type), so the name stays; it is not offered to
   * subscriptions by name (UNLISTED below), as before.
   */
  roleManagementAudited: 'audit.RoleManagement',
} as const;

/** One of the declared event types. */
export type EventType = (typeof EventTypes)[keyof typeof EventTypes];

const UNLISTED: ReadonlySet<EventType> = new Set([EventTypes.roleManagementAudited]);

const Id = z.string().min(1).max(256);
const Upn = z.string().min(1).max(256);
/** A resource as the audit record holds it (before or after the change); null when there is none. */
const Document = z.record(z.string(), z.unknown()).nullable();
/** A passkey in its fido2AuthenticationMethod shape; other properties are kept as they are. */
const Method = z.looseObject({ id: Id });

/** Who made the change and how it ended: on every event's data. */
const Outcome = { initiatedBy: ActorSchema, result: z.enum(['success', 'failure']) };
const Change = z.object({ before: Document, after: Document, ...Outcome });
const MethodChange = z.object({ userId: Id, userPrincipalName: z.string().nullable(), method: Method, ...Outcome });

/** The schema of each type's `data`: what the relay writes (eventFromAudit) and what consumers parse. */
export const EventDataSchemas = {
  [EventTypes.fido2PolicyUpdated]: z.object({
    before: Document,
    after: Document,
    modifiedProperties: z.array(ModifiedPropertySchema),
    ...Outcome,
  }),
  [EventTypes.fido2MethodRegistered]: MethodChange,
  [EventTypes.fido2MethodDeleted]: MethodChange,
  [EventTypes.fido2MethodSignInRefused]: z.looseObject({
    userId: Id,
    userPrincipalName: z.string().nullable(),
    methodId: Id,
    aaGuid: z.string(),
    rule: z.string(),
    reason: z.string(),
    ...Outcome,
  }),
  [EventTypes.userCreated]: Change,
  [EventTypes.userUpdated]: Change,
  [EventTypes.userDeleted]: Change,
  [EventTypes.userUpnChanged]: z.object({
    userId: Id,
    oldUserPrincipalName: Upn,
    newUserPrincipalName: Upn,
    ...Outcome,
  }),
  [EventTypes.userReEnrolmentDeadlinePassed]: Change,
  [EventTypes.groupCreated]: Change,
  [EventTypes.groupMemberAdded]: Change,
  [EventTypes.groupMemberRemoved]: Change,
  [EventTypes.provisioningJobCreated]: Change,
  [EventTypes.provisioningJobCompleted]: Change,
  [EventTypes.provisioningJobCancelled]: Change,
  [EventTypes.webhookSubscriptionCreated]: Change,
  [EventTypes.webhookSubscriptionDeleted]: Change,
  [EventTypes.authenticationStrengthCreated]: Change,
  [EventTypes.authenticationStrengthUpdated]: Change,
  [EventTypes.authenticationStrengthDeleted]: Change,
  [EventTypes.protectedResourceCreated]: Change,
  [EventTypes.protectedResourceUpdated]: Change,
  [EventTypes.protectedResourceDeleted]: Change,
  [EventTypes.signInRecorded]: z.object({ signIn: SignInRecordSchema, ...Outcome }),
  [EventTypes.roleManagementAudited]: Change,
} satisfies Record<EventType, z.ZodType>;

/** The `data` of an event of type K. */
export type EventData<K extends EventType> = z.infer<(typeof EventDataSchemas)[K]>;

/** Whether a string is a declared event type. */
export const isEventType = (type: string): type is EventType => Object.hasOwn(EventDataSchemas, type);

/**
 * The types webhook subscriptions may name (every declared one but the unlisted), in declaration
 * order: subscriptions are checked against this list.
 */
export const KNOWN_EVENT_TYPES: readonly EventType[] = Object.values(EventTypes).filter((t) => !UNLISTED.has(t));

export type KnownEventType = (typeof KNOWN_EVENT_TYPES)[number];

const KNOWN: ReadonlySet<string> = new Set(KNOWN_EVENT_TYPES);

/** `fido2Method.*`, `user.*`, ...: the prefixes that match at least one known type. */
export const KNOWN_EVENT_TYPE_PREFIXES: readonly string[] = [
  ...new Set(KNOWN_EVENT_TYPES.map((t) => `${t.slice(0, t.lastIndexOf('.'))}.*`)),
];

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
