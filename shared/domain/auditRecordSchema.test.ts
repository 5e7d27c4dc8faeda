import { AuditRecord } from './audit';
import { AuditRecordSchema } from './auditRecordSchema';
import { auditRecord } from './auditRecords';
import { EventTypes } from './events/eventTypes';

const written: AuditRecord = auditRecord({
  id: 'rec-1',
  at: new Date('2026-12-02T10:00:00.000Z'),
  actor: { user: null, app: { appId: 'test' } },
  category: 'UserManagement',
  activityDisplayName: 'Add user',
  eventType: EventTypes.userCreated,
  operationType: 'Add',
  target: { id: 'u1', displayName: 'alice@contoso.com', type: 'User' },
  before: null,
  after: { id: 'u1' },
});

describe('AuditRecordSchema: an audit record read back from outside the process (change-feed document)', () => {
  it('reads back the record that was written, without the store properties', () => {
    expect(AuditRecordSchema.parse({ ...written, _rid: 'x', _ts: 1, _etag: '"e"', sortKey: 'k' })).toEqual(written);
  });

  it('reads a record written before event types were declared (no eventType)', () => {
    const { eventType: _declared, ...legacy } = written;
    expect(AuditRecordSchema.parse(legacy)).toEqual(legacy);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an undeclared event type', { eventType: 'user.renamed' }],
    ['another category', { category: 'Billing' }],
    ['no id', { id: '' }],
    ['a target without modified properties', { targetResources: [{ id: 'u1', displayName: null, type: 'User' }] }],
    ['an outcome that is neither success nor failure', { result: 'partial' }],
  ])('refuses %s', (_title, change) => {
    expect(AuditRecordSchema.safeParse({ ...written, ...change }).success).toBe(false);
  });
});
