import { auditRecord, AuditInput } from '../auditRecords';
import { AuditRecord } from '../audit';
import { parseDomainEvent } from './domainEvent';
import { eventFromAudit, eventTypeOf } from './eventFromAudit';
import { EventType, EventTypes } from './eventTypes';

const admin = { user: { id: 'admin-1', userPrincipalName: 'admin@contoso.com' }, app: null };
const SOURCE = 'https://passkeys.example';

const recordOf = (input: Partial<AuditInput> & Pick<AuditInput, 'eventType'>): AuditRecord =>
  auditRecord({
    id: 'rec-1',
    at: new Date('2030-01-01T00:00:00.000Z'),
    actor: admin,
    category: 'UserManagement',
    activityDisplayName: 'Wording nobody relies on',
    operationType: 'Update',
    target: { id: 'u-1', displayName: 'bob@contoso.com', type: 'User' },
    before: null,
    after: null,
    ...input,
  });

describe('eventFromAudit', () => {
  it('publishes the type the writer declared, whatever the display text says', () => {
    const record = recordOf({
      eventType: EventTypes.userCreated,
      activityDisplayName: 'Update authentication methods policy',
    });
    expect(eventTypeOf(record)).toBe('user.created');
    expect(eventFromAudit(record, SOURCE)).toMatchObject({
      specversion: '1.0',
      id: 'rec-1',
      type: 'user.created',
      source: SOURCE,
      subject: 'users/u-1',
      time: '2030-01-01T00:00:00.000Z',
    });
  });

  it('maps a record written before types were declared through the legacy mapping, and publishes nothing for one it cannot name', () => {
    const { eventType: _declared, ...legacy } = recordOf({
      eventType: EventTypes.userCreated,
      activityDisplayName: 'Add user',
    });
    expect(eventFromAudit(legacy, SOURCE)?.type).toBe('user.created');
    expect(eventFromAudit({ ...legacy, activityDisplayName: 'Unknown wording' }, SOURCE)).toBeUndefined();
  });

  // The data of each type, as consumers and webhook receivers read it.
  it.each<[EventType, Partial<AuditInput>, Record<string, unknown>]>([
    [
      EventTypes.fido2PolicyUpdated,
      {
        category: 'Policy',
        target: { id: 'Fido2', displayName: 'Passkey (FIDO2)', type: 'Policy' },
        before: { state: 'disabled' },
        after: { state: 'enabled' },
      },
      {
        before: { state: 'disabled' },
        after: { state: 'enabled' },
        modifiedProperties: [{ displayName: 'state', oldValue: '"disabled"', newValue: '"enabled"' }],
      },
    ],
    [
      EventTypes.fido2MethodRegistered,
      { after: { id: 'm-1', displayName: 'Key' } },
      { userId: 'u-1', userPrincipalName: 'bob@contoso.com', method: { id: 'm-1', displayName: 'Key' } },
    ],
    [
      EventTypes.fido2MethodDeleted,
      { before: { id: 'm-1' } },
      { userId: 'u-1', userPrincipalName: 'bob@contoso.com', method: { id: 'm-1' } },
    ],
    [
      EventTypes.fido2MethodSignInRefused,
      { after: { methodId: 'm-1', aaGuid: 'a-1', rule: 'keyRestrictions', reason: 'blocked' } },
      {
        userId: 'u-1',
        userPrincipalName: 'bob@contoso.com',
        methodId: 'm-1',
        aaGuid: 'a-1',
        rule: 'keyRestrictions',
        reason: 'blocked',
      },
    ],
    [
      EventTypes.userUpnChanged,
      { before: { userPrincipalName: 'bob@contoso.com' }, after: { userPrincipalName: 'robert@contoso.com' } },
      { userId: 'u-1', oldUserPrincipalName: 'bob@contoso.com', newUserPrincipalName: 'robert@contoso.com' },
    ],
    [EventTypes.groupMemberAdded, { after: { memberId: 'u-2' } }, { before: null, after: { memberId: 'u-2' } }],
  ])('%s: data per type, with who did it and the result; it parses as its type', (eventType, input, data) => {
    const event = eventFromAudit(recordOf({ eventType, ...input }), SOURCE)!;
    expect(event.data).toEqual({ ...data, initiatedBy: admin, result: 'success' });
    expect(parseDomainEvent(JSON.parse(JSON.stringify(event)))).toEqual({ event });
  });

  it.each([
    [{ type: 'Policy', id: 'Fido2' }, 'policies/authenticationMethodsPolicy/fido2'],
    [{ type: 'ProvisioningJob', id: 'j-1' }, 'provisioning/jobs/j-1'],
    [{ type: 'WebhookSubscription', id: 'w-1' }, 'webhooks/subscriptions/w-1'],
    [{ type: 'AuthenticationStrengthPolicy', id: 's-1' }, 'policies/authenticationStrengthPolicies/s-1'],
    [{ type: 'ProtectedResource', id: 'api://hr' }, 'protectedResources/api%3A%2F%2Fhr'],
    [{ type: 'Group', id: 'g-1' }, 'groups/g-1'],
  ])('names the subject after the target %j', (target, subject) => {
    expect(
      eventFromAudit(recordOf({ eventType: EventTypes.userUpdated, target: { ...target, displayName: null } }), SOURCE)
        ?.subject,
    ).toBe(subject);
  });
});
