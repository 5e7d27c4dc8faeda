import { AuditRecord } from '../audit';
import { DomainEvent } from './domainEvent';
import { EventData, EventType, EventTypes } from './eventTypes';
import { legacyEventTypeFromDisplayText } from './legacyEventTypeFromDisplayText';
import { SignInRecordSchema } from '../signIns/signInRecord';

/**
 * The event type of a record: the one its writer declared; for records written before types were
 * declared, the frozen legacy mapping. Never read from the display name of a new record.
 */
export function eventTypeOf(record: AuditRecord): EventType | undefined {
  return record.eventType ?? legacyEventTypeFromDisplayText(record);
}

type Document = Record<string, unknown> | null;
const documentOf = (value: unknown): Document =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
const stringOf = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The data of each type without the outcome (initiatedBy, result), which every event carries. */
type DataBuilder = { [K in EventType]: (record: AuditRecord) => Omit<EventData<K>, 'initiatedBy' | 'result'> };

const change = (record: AuditRecord) => ({ before: documentOf(record.before), after: documentOf(record.after) });
const user = (record: AuditRecord) => ({
  userId: record.targetResources[0]?.id ?? '',
  userPrincipalName: record.targetResources[0]?.displayName ?? null,
});
const method = (value: unknown) => ({ ...documentOf(value), id: stringOf(documentOf(value)?.id) });

const dataOf: DataBuilder = {
  [EventTypes.fido2PolicyUpdated]: (r) => ({
    ...change(r),
    modifiedProperties: r.targetResources[0]?.modifiedProperties ?? [],
  }),
  [EventTypes.fido2MethodRegistered]: (r) => ({ ...user(r), method: method(r.after) }),
  [EventTypes.fido2MethodDeleted]: (r) => ({ ...user(r), method: method(r.before) }),
  [EventTypes.fido2MethodSignInRefused]: (r) => {
    const after = documentOf(r.after);
    return {
      ...user(r),
      ...after,
      methodId: stringOf(after?.methodId),
      aaGuid: stringOf(after?.aaGuid),
      rule: stringOf(after?.rule),
      reason: stringOf(after?.reason),
    };
  },
  [EventTypes.userUpnChanged]: (r) => ({
    userId: r.targetResources[0]?.id ?? '',
    oldUserPrincipalName: stringOf(documentOf(r.before)?.userPrincipalName),
    newUserPrincipalName: stringOf(documentOf(r.after)?.userPrincipalName),
  }),
  [EventTypes.userCreated]: change,
  [EventTypes.userUpdated]: change,
  [EventTypes.userDeleted]: change,
  [EventTypes.userReEnrolmentDeadlinePassed]: change,
  [EventTypes.groupCreated]: change,
  [EventTypes.groupMemberAdded]: change,
  [EventTypes.groupMemberRemoved]: change,
  [EventTypes.provisioningJobCreated]: change,
  [EventTypes.provisioningJobCompleted]: change,
  [EventTypes.provisioningJobCancelled]: change,
  [EventTypes.webhookSubscriptionCreated]: change,
  [EventTypes.webhookSubscriptionDeleted]: change,
  [EventTypes.authenticationStrengthCreated]: change,
  [EventTypes.authenticationStrengthUpdated]: change,
  [EventTypes.authenticationStrengthDeleted]: change,
  [EventTypes.protectedResourceCreated]: change,
  [EventTypes.protectedResourceUpdated]: change,
  [EventTypes.protectedResourceDeleted]: change,
  [EventTypes.roleManagementAudited]: change,
  // Written by signInOutboxRecord from a record that passed the same schema.
  [EventTypes.signInRecorded]: (r) => ({ signIn: SignInRecordSchema.parse(r.after) }),
};

const subjectOf = (record: AuditRecord) => {
  const target = record.targetResources[0];
  if (!target) return 'tenant';
  if (target.type === 'Policy') return 'policies/authenticationMethodsPolicy/fido2';
  if (target.type === 'ProvisioningJob') return `provisioning/jobs/${target.id}`;
  if (target.type === 'WebhookSubscription') return `webhooks/subscriptions/${target.id}`;
  if (target.type === 'AuthenticationStrengthPolicy') return `policies/authenticationStrengthPolicies/${target.id}`;
  if (target.type === 'ProtectedResource') return `protectedResources/${encodeURIComponent(target.id)}`;
  return `${target.type.toLowerCase()}s/${target.id}`;
};

/**
 * Every audit record is written in the same store transaction as the change it describes, so the
 * audit log doubles as the outbox: the relay turns each record into the domain event of its declared
 * type, its data built per type. The event id is the record id, so a record relayed twice is the
 * same event twice (consumers dedupe). Undefined for an old record of no declared type (nothing to publish).
 */
export function eventFromAudit(record: AuditRecord, source: string): DomainEvent | undefined {
  const type = eventTypeOf(record);
  if (!type) return undefined;
  const data = { ...dataOf[type](record), initiatedBy: record.initiatedBy, result: record.result };
  return {
    specversion: '1.0',
    id: record.id,
    type,
    source,
    subject: subjectOf(record),
    time: record.activityDateTime,
    datacontenttype: 'application/json',
    data,
    // TypeScript cannot pair the union's type with its data here; dataOf is checked per type above.
  } as DomainEvent;
}
