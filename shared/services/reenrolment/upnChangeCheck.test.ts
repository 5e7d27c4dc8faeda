import type { AuditRecord } from '../../domain/audit';
import { auditRecord } from '../../domain/auditRecords';
import type { User } from '../../domain/directory/directory';
import type { UpnReEnrolmentInput } from '../../ports/reEnrolmentOrchestrations.port';
import { checkUpnChange, isNewPasskey, showsStaleName } from './upnChangeCheck';
import { EventTypes } from '../../domain/events/eventTypes';

const AT = '2025-03-01T08:00:00.000Z';
const user = (upn: string, id = 'u-1'): User => ({
  id,
  userPrincipalName: upn,
  displayName: 'Alice',
  userType: 'Member',
  accountEnabled: true,
  mail: null,
  createdDateTime: '2025-01-01T00:00:00.000Z',
});
const record = (
  over: Partial<AuditRecord> = {},
  from = 'alice@contoso.com',
  to = 'alice.smith@contoso.com',
): AuditRecord => ({
  ...auditRecord({
    id: 'e1',
    at: new Date(AT),
    actor: { user: null, app: { appId: 'x' } },
    category: 'UserManagement',
    activityDisplayName: 'Update user',
    eventType: EventTypes.userUpnChanged,
    operationType: 'Update',
    target: { id: 'u-1', displayName: to, type: 'User' },
    before: user(from),
    after: user(to),
  }),
  ...over,
});
const claim: UpnReEnrolmentInput = {
  eventId: 'e1',
  userId: 'u-1',
  changedAt: AT,
  oldUserPrincipalName: 'alice@contoso.com',
  newUserPrincipalName: 'alice.smith@contoso.com',
};

describe('checkUpnChange', () => {
  it.each<[string, UpnReEnrolmentInput, User | null, AuditRecord | undefined, string]>([
    ['a recorded change that still stands', claim, user('alice.smith@contoso.com'), record(), 'confirmed'],
    ['a recorded change followed by another one', claim, user('alice.jones@contoso.com'), record(), 'confirmed'],
    ['a deleted user', claim, null, record(), 'userNotFound'],
    ['another user than claimed', claim, user('alice.smith@contoso.com', 'u-2'), record(), 'userNotFound'],
    ['no record (forged event)', claim, user('alice.smith@contoso.com'), undefined, 'changeNotRecorded'],
    ['a record with another id', claim, user('alice.smith@contoso.com'), record({ id: 'e9' }), 'changeNotRecorded'],
    ['a failed change', claim, user('alice.smith@contoso.com'), record({ result: 'failure' }), 'changeNotRecorded'],
    [
      'a record about a group',
      claim,
      user('alice.smith@contoso.com'),
      record({ targetResources: [{ id: 'u-1', displayName: null, type: 'Group', modifiedProperties: [] }] }),
      'changeNotRecorded',
    ],
    [
      'a record about another user',
      claim,
      user('alice.smith@contoso.com'),
      record({ targetResources: [{ id: 'u-2', displayName: null, type: 'User', modifiedProperties: [] }] }),
      'changeNotRecorded',
    ],
    [
      'a claimed old name the record does not show',
      { ...claim, oldUserPrincipalName: 'bob@contoso.com' },
      user('alice.smith@contoso.com'),
      record(),
      'changeDiffers',
    ],
    [
      'a claimed new name the record does not show',
      { ...claim, newUserPrincipalName: 'eve@contoso.com' },
      user('alice.smith@contoso.com'),
      record(),
      'changeDiffers',
    ],
    [
      'a claimed time the record does not show',
      { ...claim, changedAt: '2025-03-01T08:00:00.001Z' },
      user('alice.smith@contoso.com'),
      record(),
      'changeDiffers',
    ],
    [
      'an update that did not rename',
      { ...claim, newUserPrincipalName: 'alice@contoso.com' },
      user('alice@contoso.com'),
      record({}, 'alice@contoso.com', 'alice@contoso.com'),
      'changeDiffers',
    ],
    ['a name changed back since (stale event)', claim, user('alice@contoso.com'), record(), 'upnNotChanged'],
    ['a name changed back in another case', claim, user('Alice@Contoso.com'), record(), 'upnNotChanged'],
  ])('%s', (_what, c, u, r, expected) => {
    const check = checkUpnChange(c, u, r);
    expect(check.confirmed ? 'confirmed' : check.reason).toBe(expected);
  });
});

describe('showsStaleName', () => {
  it.each<[string, string, string | undefined, string, boolean]>([
    [
      'registered under the old name before the change',
      '2025-02-01T00:00:00.000Z',
      'alice@contoso.com',
      'alice.smith@contoso.com',
      true,
    ],
    [
      'registered under an even older name',
      '2025-01-15T00:00:00.000Z',
      'a.old@contoso.com',
      'alice.smith@contoso.com',
      true,
    ],
    [
      'registered at the very time of the change under the old name',
      AT,
      'alice@contoso.com',
      'alice.smith@contoso.com',
      true,
    ],
    ['registered after the change', '2025-03-01T08:00:00.001Z', 'alice@contoso.com', 'alice.smith@contoso.com', false],
    [
      'registered under the current name (changed back and forth)',
      '2025-01-15T00:00:00.000Z',
      'alice.smith@contoso.com',
      'alice.smith@contoso.com',
      false,
    ],
    [
      'registered under the current name in another case',
      '2025-01-15T00:00:00.000Z',
      'Alice.Smith@contoso.com',
      'alice.smith@contoso.com',
      false,
    ],
    [
      'with no registration record (unknown name)',
      '2025-02-01T00:00:00.000Z',
      undefined,
      'alice.smith@contoso.com',
      false,
    ],
  ])('%s', (_what, createdDateTime, registered, current, expected) => {
    expect(showsStaleName({ createdDateTime, registeredUserPrincipalName: registered }, current, AT)).toBe(expected);
  });
});

describe('isNewPasskey', () => {
  it.each<[string, { userId: string; createdDateTime: string } | null, boolean]>([
    [
      "the user's passkey registered after the change",
      { userId: 'u-1', createdDateTime: '2025-03-01T08:00:00.001Z' },
      true,
    ],
    ['a passkey registered at the very time of the change', { userId: 'u-1', createdDateTime: AT }, false],
    ['a passkey registered before the change', { userId: 'u-1', createdDateTime: '2025-02-01T00:00:00.000Z' }, false],
    ["another user's passkey", { userId: 'u-2', createdDateTime: '2025-03-02T00:00:00.000Z' }, false],
    ['a passkey not in the store', null, false],
  ])('%s', (_what, passkey, expected) => {
    expect(isNewPasskey(passkey, 'u-1', AT)).toBe(expected);
  });
});
