import { aaGuidOf, PASSKEY_METHOD, SignInRecord, SignInRecordSchema } from './signInRecord';

const record = (aaGuid: string | null): SignInRecord => ({
  id: 'r1',
  createdDateTime: '2026-12-01T00:00:00.000Z',
  userId: null,
  userPrincipalName: null,
  userDisplayName: null,
  appId: 'api://x',
  resourceId: 'api://x',
  ipAddress: null,
  clientAppUsed: 'Browser',
  userAgent: null,
  isInteractive: true,
  status: { errorCode: 90001, failureReason: 'fido2SignInFailed', additionalDetails: 'x' },
  authenticationMethodsUsed: [PASSKEY_METHOD],
  authenticationDetails: [
    {
      authenticationMethod: PASSKEY_METHOD,
      authenticationMethodDetail: null,
      authenticationStepDateTime: '2026-12-01T00:00:00.000Z',
      authenticationStepResultDetail: 'x',
      succeeded: false,
      aaGuid,
      credentialId: 'Y3JlZA',
    },
  ],
  conditionalAccessStatus: 'notApplied',
  appliedConditionalAccessPolicies: [],
});

describe('signInRecord', () => {
  it.each<[string, SignInRecord, string | null]>([
    ['a known passkey', record('cb69481e-8ff7-4039-93ec-0a2729a154a8'), 'cb69481e-8ff7-4039-93ec-0a2729a154a8'],
    ['an unknown credential', record(null), null],
    ['no authentication step', { ...record(null), authenticationDetails: [] }, null],
  ])('aaGuidOf: %s', (_title, r, expected) => {
    expect(aaGuidOf(r)).toBe(expected);
  });

  it.each<[string, unknown, boolean]>([
    ['a complete record', record(null), true],
    [
      'a negative errorCode',
      { ...record(null), status: { errorCode: -1, failureReason: null, additionalDetails: null } },
      false,
    ],
    [
      'another method',
      {
        ...record(null),
        authenticationDetails: [{ ...record(null).authenticationDetails[0], authenticationMethod: 'Password' }],
      },
      false,
    ],
    ['no id', { ...record(null), id: '' }, false],
  ])('the schema accepts %s: %s', (_title, value, ok) => {
    expect(SignInRecordSchema.safeParse(value).success).toBe(ok);
  });
});
