import { randomUUID } from 'node:crypto';
import { PASSKEY_METHOD, SignInRecord } from '../../shared/domain/signIns/signInRecord';

export const YUBIKEY_AAGUID = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

/** A successful passkey sign-in record at `at` (a YubiKey unless `aaGuid` says otherwise). */
export function signInRecordAt(
  at: string,
  overrides: Partial<SignInRecord> & { aaGuid?: string | null } = {},
): SignInRecord {
  const { aaGuid = YUBIKEY_AAGUID, ...rest } = overrides;
  return {
    id: randomUUID(),
    createdDateTime: at,
    userId: randomUUID(),
    userPrincipalName: 'Ada@contoso.com',
    userDisplayName: 'Ada',
    appId: 'api://passkey-service',
    resourceId: 'api://passkey-service',
    ipAddress: '203.0.113.7',
    clientAppUsed: 'Browser',
    userAgent: 'Mozilla/5.0',
    isInteractive: true,
    status: { errorCode: 0, failureReason: null, additionalDetails: null },
    authenticationMethodsUsed: [PASSKEY_METHOD],
    authenticationDetails: [
      {
        authenticationMethod: PASSKEY_METHOD,
        authenticationMethodDetail: 'YubiKey 5 Series',
        authenticationStepDateTime: at,
        authenticationStepResultDetail: 'MFA completed',
        succeeded: true,
        aaGuid,
        credentialId: 'Y3JlZA',
      },
    ],
    conditionalAccessStatus: 'notApplied',
    appliedConditionalAccessPolicies: [],
    ...rest,
  };
}
