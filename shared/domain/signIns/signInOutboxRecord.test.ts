import { eventFromAudit } from '../events/eventFromAudit';
import { EventDataSchemas, EventTypes } from '../events/eventTypes';
import { signInOutboxRecord } from './signInOutboxRecord';
import { PASSKEY_METHOD, SignInRecord } from './signInRecord';

const signIn = (errorCode: number, userId: string | null): SignInRecord => ({
  id: '0f4a2c1e-0000-4000-8000-000000000001',
  createdDateTime: '2026-12-01T10:00:00.000Z',
  userId,
  userPrincipalName: userId ? 'ada@contoso.com' : null,
  userDisplayName: null,
  appId: 'api://x',
  resourceId: 'api://x',
  ipAddress: '203.0.113.1',
  clientAppUsed: 'Browser',
  userAgent: null,
  isInteractive: true,
  status: {
    errorCode,
    failureReason: errorCode ? 'fido2SignInFailed' : null,
    additionalDetails: null,
  },
  authenticationMethodsUsed: [PASSKEY_METHOD],
  authenticationDetails: [],
  conditionalAccessStatus: 'notApplied',
  appliedConditionalAccessPolicies: [],
});

describe('signInOutboxRecord → signIn.recorded event', () => {
  it.each<[string, SignInRecord, 'success' | 'failure', { id: string; userPrincipalName: string | null } | null]>([
    ['a success', signIn(0, 'u1'), 'success', { id: 'u1', userPrincipalName: 'ada@contoso.com' }],
    ['a refusal of a known user', signIn(90023, 'u1'), 'failure', { id: 'u1', userPrincipalName: 'ada@contoso.com' }],
    ['a refusal of an unknown passkey', signIn(90001, null), 'failure', null],
  ])('%s', (_title, record, result, user) => {
    const event = eventFromAudit(signInOutboxRecord(record), 'https://issuer');
    expect(event).toMatchObject({
      id: record.id,
      type: EventTypes.signInRecorded,
      time: record.createdDateTime,
      subject: `signins/${record.id}`,
      data: { signIn: record, result, initiatedBy: { user, app: null } },
    });
    expect(EventDataSchemas[EventTypes.signInRecorded].safeParse(event?.data).success).toBe(true);
  });
});
