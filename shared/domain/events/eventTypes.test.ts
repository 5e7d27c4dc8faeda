import { randomUUID } from 'node:crypto';
import { AuditRecord } from '../audit';
import { eventTypeOf } from './eventFromAudit';
import { isKnownEventTypePattern, KNOWN_EVENT_TYPE_PREFIXES, KNOWN_EVENT_TYPES, knownPatternLike } from './eventTypes';
import { matchesEventType } from './matchesEventType';

describe('isKnownEventTypePattern', () => {
  it.each<[string, boolean]>([
    ['*', true],
    ['fido2Policy.updated', true],
    ['fido2Method.*', true],
    ['user.*', true],
    ['provisioningJob.completed', true],
    ['fido2policy.updated', false],
    ['FIDO2POLICY.UPDATED', false],
    ['fido2Policy.created', false],
    ['fido2Policy', false],
    ['fido2Method.registered.*', false],
    ['fido2.*', false],
    ['users.*', false],
    ['audit.Policy', false],
    ['anything.else', false],
  ])('%s: %s', (pattern, expected) => {
    expect(isKnownEventTypePattern(pattern)).toBe(expected);
  });

  it('accepts exactly the patterns that match some known type', () => {
    for (const pattern of ['*', ...KNOWN_EVENT_TYPE_PREFIXES, ...KNOWN_EVENT_TYPES]) {
      expect(KNOWN_EVENT_TYPES.some((t) => matchesEventType([pattern], t))).toBe(true);
      expect(isKnownEventTypePattern(pattern)).toBe(true);
    }
  });
});

describe('knownPatternLike', () => {
  it.each([
    ['fido2policy.updated', 'fido2Policy.updated'],
    ['FIDO2METHOD.*', 'fido2Method.*'],
    ['nothing.like', undefined],
  ])('%s suggests %s', (pattern, expected) => {
    expect(knownPatternLike(pattern)).toBe(expected);
  });
});

describe('KNOWN_EVENT_TYPES', () => {
  const record = (activityDisplayName: string, modified: string[] = []): AuditRecord => ({
    id: randomUUID(),
    activityDateTime: new Date(0).toISOString(),
    category: 'UserManagement',
    activityDisplayName,
    operationType: 'Other',
    loggedByService: 'test',
    initiatedBy: { user: null, app: null },
    targetResources: [{ id: 'x', displayName: null, type: 'User', modifiedProperties: modified.map((displayName) => ({ displayName, oldValue: null, newValue: null })) }],
    result: 'success',
    resultReason: '',
    before: null,
    after: null,
  });

  // Every activity the services audit today, and the type the relay publishes for it.
  it.each([
    record('Update authentication methods policy'),
    record('Add Passkey (device-bound)'),
    record('Delete Passkey (synced)'),
    record('Sign-in with passkey refused'),
    record('Update user'),
    record('Update user', ['userPrincipalName']),
    record('Provisioning job created'),
    record('Provisioning job completed'),
    record('Provisioning job cancelled'),
    record('Passkey re-enrolment deadline passed'),
    record('Add user'),
    record('Delete user'),
    record('Add group'),
    record('Add member to group'),
    record('Remove member from group'),
    record('Add webhook subscription'),
    record('Delete webhook subscription'),
  ])('lists the type published for "$activityDisplayName"', (r) => {
    expect(KNOWN_EVENT_TYPES).toContain(eventTypeOf(r));
  });
});
