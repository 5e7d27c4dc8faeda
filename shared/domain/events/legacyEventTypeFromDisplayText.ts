import { AuditRecord } from '../audit';
import { EventType, EventTypes } from './eventTypes';

/**
 * FROZEN — for audit records written before services declared their event type (no `eventType`
 * stored), so old outbox rows still relay after an upgrade. It reads the display text those
 * versions wrote, exactly as the relay did then. Never extend it: new records carry their type
 * (auditRecords.ts), and a change of wording must not change what it returns.
 * Returns undefined for a record no version published as a declared type.
 */
export function legacyEventTypeFromDisplayText(record: AuditRecord): EventType | undefined {
  const name = record.activityDisplayName;
  if (name === 'Update authentication methods policy') return EventTypes.fido2PolicyUpdated;
  if (name.startsWith('Add Passkey')) return EventTypes.fido2MethodRegistered;
  if (name.startsWith('Delete Passkey')) return EventTypes.fido2MethodDeleted;
  if (name === 'Sign-in with passkey refused') return EventTypes.fido2MethodSignInRefused;
  if (name === 'Update user') {
    const upnChanged = record.targetResources[0]?.modifiedProperties.some((p) => p.displayName === 'userPrincipalName');
    return upnChanged ? EventTypes.userUpnChanged : EventTypes.userUpdated;
  }
  const byName: Record<string, EventType> = {
    'Provisioning job created': EventTypes.provisioningJobCreated,
    'Provisioning job completed': EventTypes.provisioningJobCompleted,
    'Provisioning job cancelled': EventTypes.provisioningJobCancelled,
    'Passkey re-enrolment deadline passed': EventTypes.userReEnrolmentDeadlinePassed,
    'Add user': EventTypes.userCreated,
    'Delete user': EventTypes.userDeleted,
    'Add group': EventTypes.groupCreated,
    'Add member to group': EventTypes.groupMemberAdded,
    'Remove member from group': EventTypes.groupMemberRemoved,
    'Add webhook subscription': EventTypes.webhookSubscriptionCreated,
    'Delete webhook subscription': EventTypes.webhookSubscriptionDeleted,
  };
  if (Object.hasOwn(byName, name)) return byName[name];
  // Those versions published any other record as `audit.<category>`; only role assignments were such records.
  return record.category === 'RoleManagement' ? EventTypes.roleManagementAudited : undefined;
}
