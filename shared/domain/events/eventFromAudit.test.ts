import { AuditRecord } from '../audit';
import { eventFromAudit } from './eventFromAudit';

/** A record as the stores keep it; `change` sets what differs per case. */
const record = (change: Partial<AuditRecord>): AuditRecord => ({
  id: 'rec-1',
  activityDateTime: '2026-12-02T10:00:00.000Z',
  category: 'UserManagement',
  activityDisplayName: 'Add user',
  operationType: 'Add',
  loggedByService: 'Authentication Methods',
  initiatedBy: { user: null, app: { appId: 'test' } },
  targetResources: [{ id: 'u1', displayName: 'alice@contoso.com', type: 'User', modifiedProperties: [] }],
  result: 'success',
  resultReason: '',
  before: null,
  after: { id: 'u1' },
  ...change,
});

// Kept light on purpose: the event types and data are being declared (issue 9 item 1); this pins
// only the CloudEvents envelope every relayed record gets.
describe('eventFromAudit: the CloudEvents envelope of an audit record', () => {
  it('is the record: id (so a record relayed twice is one event), time, source, initiator and result', () => {
    expect(eventFromAudit(record({}), 'urn:passkeys:test')).toMatchObject({
      specversion: '1.0',
      id: 'rec-1',
      source: 'urn:passkeys:test',
      time: '2026-12-02T10:00:00.000Z',
      datacontenttype: 'application/json',
      data: expect.objectContaining({ initiatedBy: { user: null, app: { appId: 'test' } }, result: 'success' }),
    });
  });

  it.each<[string, Partial<AuditRecord>, string]>([
    ['the policy', { category: 'Policy', activityDisplayName: 'Update authentication methods policy', targetResources: [{ id: 'Fido2', displayName: 'Passkey (FIDO2)', type: 'Policy', modifiedProperties: [] }] }, 'policies/authenticationMethodsPolicy/fido2'],
    ['a provisioning job', { activityDisplayName: 'Provisioning job created', targetResources: [{ id: 'job-1', displayName: null, type: 'ProvisioningJob', modifiedProperties: [] }] }, 'provisioning/jobs/job-1'],
    ['a webhook subscription', { activityDisplayName: 'Add webhook subscription', targetResources: [{ id: 'sub-1', displayName: null, type: 'WebhookSubscription', modifiedProperties: [] }] }, 'webhooks/subscriptions/sub-1'],
    ['a user', {}, 'users/u1'],
    ['a group', { category: 'GroupManagement', activityDisplayName: 'Add group', targetResources: [{ id: 'g1', displayName: 'Pilot', type: 'Group', modifiedProperties: [] }] }, 'groups/g1'],
  ])('names %s as its subject', (_title, change, subject) => {
    expect(eventFromAudit(record(change), 'urn:passkeys:test')?.subject).toBe(subject);
  });
});
