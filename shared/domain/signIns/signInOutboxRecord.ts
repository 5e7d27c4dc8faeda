import { AuditRecord } from '../audit';
import { EventTypes } from '../events/eventTypes';
import { SignInRecord } from './signInRecord';

/**
 * A sign-in log record as the relay core takes it (an outbox record of type `signIn.recorded`), so the
 * sign-in log is relayed by the same publisher as the audit log without being written to the audit
 * log (which would be one audit record per sign-in). The event id is the sign-in record's id.
 */
export function signInOutboxRecord(record: SignInRecord): AuditRecord {
  const user = record.userId ? { id: record.userId, userPrincipalName: record.userPrincipalName } : null;
  const succeeded = record.status.errorCode === 0;
  return {
    id: record.id,
    activityDateTime: record.createdDateTime,
    category: 'Authentication',
    activityDisplayName: succeeded ? 'Sign-in with passkey' : 'Sign-in with passkey refused',
    eventType: EventTypes.signInRecorded,
    operationType: 'Other',
    loggedByService: 'Authentication Methods',
    initiatedBy: { user, app: null },
    targetResources: [{ id: record.id, displayName: record.userPrincipalName, type: 'SignIn', modifiedProperties: [] }],
    result: succeeded ? 'success' : 'failure',
    resultReason: record.status.failureReason ?? '',
    before: null,
    after: record,
  };
}
