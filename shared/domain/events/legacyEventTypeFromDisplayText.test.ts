import { randomUUID } from 'node:crypto';
import { AuditRecord } from '../audit';
import { EventType } from './eventTypes';
import { legacyEventTypeFromDisplayText } from './legacyEventTypeFromDisplayText';

/** A record as versions before declared types wrote it: no `eventType`. */
const legacyRecord = (
  activityDisplayName: string,
  modified: string[] = [],
  category: AuditRecord['category'] = 'UserManagement',
): AuditRecord => ({
  id: randomUUID(),
  activityDateTime: new Date(0).toISOString(),
  category,
  activityDisplayName,
  operationType: 'Other',
  loggedByService: 'Authentication Methods',
  initiatedBy: { user: null, app: null },
  targetResources: [
    {
      id: 'x',
      displayName: null,
      type: 'User',
      modifiedProperties: modified.map((displayName) => ({ displayName, oldValue: null, newValue: null })),
    },
  ],
  result: 'success',
  resultReason: '',
  before: null,
  after: null,
});

describe('legacyEventTypeFromDisplayText (frozen: the types old outbox rows were published as)', () => {
  it.each<[string, string[], AuditRecord['category'], EventType | undefined]>([
    ['Update authentication methods policy', [], 'Policy', 'fido2Policy.updated'],
    ['Add Passkey (device-bound) security key', [], 'UserManagement', 'fido2Method.registered'],
    ['Add Passkey (synced) on behalf of user', [], 'UserManagement', 'fido2Method.registered'],
    ['Delete Passkey (synced)', [], 'UserManagement', 'fido2Method.deleted'],
    ['Sign-in with passkey refused', [], 'Authentication', 'fido2Method.signInRefused'],
    ['Update user', ['displayName'], 'UserManagement', 'user.updated'],
    ['Update user', ['displayName', 'userPrincipalName'], 'UserManagement', 'user.upnChanged'],
    ['Provisioning job created', [], 'UserManagement', 'provisioningJob.created'],
    ['Provisioning job completed', [], 'UserManagement', 'provisioningJob.completed'],
    ['Provisioning job cancelled', [], 'UserManagement', 'provisioningJob.cancelled'],
    ['Passkey re-enrolment deadline passed', [], 'UserManagement', 'user.reEnrolmentDeadlinePassed'],
    ['Add user', [], 'UserManagement', 'user.created'],
    ['Delete user', [], 'UserManagement', 'user.deleted'],
    ['Add group', [], 'GroupManagement', 'group.created'],
    ['Add member to group', [], 'GroupManagement', 'group.memberAdded'],
    ['Remove member from group', [], 'GroupManagement', 'group.memberRemoved'],
    ['Add webhook subscription', [], 'ApplicationManagement', 'webhookSubscription.created'],
    ['Delete webhook subscription', [], 'ApplicationManagement', 'webhookSubscription.deleted'],
    ['Add member to role', [], 'RoleManagement', 'audit.RoleManagement'],
    ['Remove member from role', [], 'RoleManagement', 'audit.RoleManagement'],
    // Published as `audit.<category>` then, a type no one could subscribe to: now nothing is published.
    ['Something else', [], 'Policy', undefined],
    ['toString', [], 'UserManagement', undefined],
  ])('"%s" (modified %j, %s) → %s', (name, modified, category, expected) => {
    expect(legacyEventTypeFromDisplayText(legacyRecord(name, modified, category))).toBe(expected);
  });
});
