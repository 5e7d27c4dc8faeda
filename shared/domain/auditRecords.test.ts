import { auditRecord, diffProperties, passkeyActivityName } from './auditRecords';
import { EventTypes } from './events/eventTypes';

describe("diffProperties: the top-level properties that changed, in Graph's modifiedProperties shape", () => {
  it.each<[string, object | null, object | null, ReturnType<typeof diffProperties>]>([
    ['nothing changed', { a: 1, b: [1] }, { b: [1], a: 1 }, []],
    [
      'a changed value, as JSON',
      { state: 'disabled' },
      { state: 'enabled' },
      [{ displayName: 'state', oldValue: '"disabled"', newValue: '"enabled"' }],
    ],
    [
      'a nested change names the top-level property',
      { k: { aaGuids: [] } },
      { k: { aaGuids: ['x'] } },
      [{ displayName: 'k', oldValue: '{"aaGuids":[]}', newValue: '{"aaGuids":["x"]}' }],
    ],
    ['an added property', {}, { upn: 'a' }, [{ displayName: 'upn', oldValue: null, newValue: '"a"' }]],
    ['a removed property', { upn: 'a' }, {}, [{ displayName: 'upn', oldValue: '"a"', newValue: null }]],
    ['a creation (before null)', null, { id: 'x' }, [{ displayName: 'id', oldValue: null, newValue: '"x"' }]],
    ['a deletion (after null)', { id: 'x' }, null, [{ displayName: 'id', oldValue: '"x"', newValue: null }]],
    [
      'an explicit null differs from absent',
      { mail: null },
      {},
      [{ displayName: 'mail', oldValue: 'null', newValue: null }],
    ],
  ])('%s', (_title, before, after, expected) => {
    expect(diffProperties(before, after)).toEqual(expected);
  });
});

describe("passkeyActivityName: Entra's audit wording for a passkey", () => {
  it.each([
    ['Add', false, 'Add Passkey (device-bound) security key'],
    ['Add', true, 'Add Passkey (synced)'],
    ['Delete', false, 'Delete Passkey (device-bound) security key'],
    ['Delete', true, 'Delete Passkey (synced)'],
  ] as const)('%s, backup eligible %s: %s', (verb, backupEligible, name) => {
    expect(passkeyActivityName(verb, backupEligible)).toBe(name);
  });
});

describe('auditRecord: the record of a successful change, with the event type its writer declared', () => {
  it('stores the declared type, the actor, the target with its modified properties, and the documents', () => {
    const at = new Date('2026-12-02T10:00:00.000Z');
    const actor = { user: { id: 'u-admin', userPrincipalName: 'admin@contoso.com' }, app: null };
    const record = auditRecord({
      id: 'rec-1',
      at,
      actor,
      category: 'Policy',
      activityDisplayName: 'Any wording',
      eventType: EventTypes.fido2PolicyUpdated,
      operationType: 'Update',
      target: { id: 'Fido2', displayName: 'Passkey (FIDO2)', type: 'Policy' },
      before: { state: 'disabled' },
      after: { state: 'enabled' },
    });
    expect(record).toEqual({
      id: 'rec-1',
      activityDateTime: '2026-12-02T10:00:00.000Z',
      category: 'Policy',
      activityDisplayName: 'Any wording',
      eventType: 'fido2Policy.updated',
      operationType: 'Update',
      loggedByService: 'Authentication Methods',
      initiatedBy: actor,
      targetResources: [
        {
          id: 'Fido2',
          displayName: 'Passkey (FIDO2)',
          type: 'Policy',
          modifiedProperties: [{ displayName: 'state', oldValue: '"disabled"', newValue: '"enabled"' }],
        },
      ],
      result: 'success',
      resultReason: '',
      before: { state: 'disabled' },
      after: { state: 'enabled' },
    });
  });
});
