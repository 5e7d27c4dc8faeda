import { createSqliteStore } from '../../../shared/adapters/sqlite/store.sqlite';
import { DomainError, StoreUnavailableError } from '../../../shared/domain/errors';
import { ErrorCodes } from '../../../shared/domain/errorCodes';
import { Store } from '../../../shared/ports/store.port';
import { AuthenticationResponseJSON } from '../../../shared/ports/webauthn.port';
import type { SignInResult } from '../../../shared/schemas/webauthn.schema';
import { DirectoryService } from '../../../shared/services/directoryService';
import { RecordedSignIn } from '../../../shared/services/signInLog/recordedSignIn';

const clock = { now: () => new Date('2026-12-01T10:00:00.000Z') };
const response = { id: 'bm90LXJlZ2lzdGVyZWQ', response: {} } as unknown as AuthenticationResponseJSON;
const facts = { ipAddress: '203.0.113.5', userAgent: 'UA' };
/** `acrs` as the token carries them; `required`: the strength the resource demanded (a protected resource). */
const result = (acrs?: string[], required?: string): SignInResult => ({
  ...(required ? { requiredAuthenticationStrengthId: required } : {}),
  token: `e30.${Buffer.from(JSON.stringify(acrs ? { acrs } : {})).toString('base64url')}.c2ln`,
  tokenType: 'Bearer',
  expiresIn: 3600,
  user: { id: 'u1', userPrincipalName: 'ada@contoso.com', displayName: 'Ada' },
  method: { id: 'cred1', aaGuid: 'cb69481e-8ff7-4039-93ec-0a2729a154a8', model: 'YubiKey 5' },
  reEnrolmentRequired: false,
  signalCurrentUserDetails: { rpId: 'localhost', userId: 'x', name: 'ada@contoso.com', displayName: 'Ada' },
  signalAllAcceptedCredentials: { rpId: 'localhost', userId: 'x', allAcceptedCredentialIds: ['cred1'] },
});

describe('RecordedSignIn', () => {
  let store: Store;
  beforeEach(() => {
    store = createSqliteStore(':memory:');
  });
  afterEach(() => store.close());

  const recorded = (verify: () => Promise<SignInResult>, signInLog = store.signInLog) =>
    new RecordedSignIn({
      signIn: { verify },
      credentials: store.credentials,
      directory: new DirectoryService(store.directory, clock),
      signInLog,
      clock,
      defaultAudience: 'api://passkey-service',
    });
  const records = async () => (await store.signInLog.list({ top: 10 })).items;

  it('records a success once, with the strengths of the token as applied policies', async () => {
    await recorded(async () => result(['c1'], 'c1')).verify(response, 'https://app.contoso.com', facts);
    const [record] = await records();
    expect(record).toMatchObject({
      userPrincipalName: 'ada@contoso.com',
      resourceId: 'https://app.contoso.com',
      ipAddress: '203.0.113.5',
      status: { errorCode: 0 },
      conditionalAccessStatus: 'success',
      appliedConditionalAccessPolicies: [{ id: 'https://app.contoso.com', authenticationStrengthIds: ['c1'] }],
    });
    expect(await records()).toHaveLength(1);
  });

  it('records no applied policy for a resource that is not protected, whatever acrs the token lists', async () => {
    await recorded(async () => result(['00000000-0000-0000-0000-000000000004'])).verify(
      response,
      'https://app.contoso.com',
      facts,
    );
    const [record] = await records();
    expect(record).toMatchObject({ conditionalAccessStatus: 'notApplied', appliedConditionalAccessPolicies: [] });
  });

  it('records a refusal of an unknown passkey without a user, and rethrows the refusal itself', async () => {
    const refusal = new DomainError(ErrorCodes.fido2SignInFailed, 'This passkey is not registered');
    await expect(
      recorded(async () => {
        throw refusal;
      }).verify(response, undefined, facts),
    ).rejects.toBe(refusal);
    expect((await records()).map((r) => [r.userId, r.status, r.resourceId])).toEqual([
      [
        null,
        { errorCode: 90001, failureReason: 'fido2SignInFailed', additionalDetails: 'This passkey is not registered' },
        'api://passkey-service',
      ],
    ]);
  });

  it('answers a refusal with the refusal even when the sign-in log cannot be written', async () => {
    const refusal = new DomainError(ErrorCodes.fido2KeyRestrictionViolation, 'refused');
    const down = {
      ...store.signInLog,
      append: async () => {
        throw new StoreUnavailableError('sqlite', 1, 'busy');
      },
    };
    await expect(
      recorded(async () => {
        throw refusal;
      }, down).verify(response, undefined, facts),
    ).rejects.toBe(refusal);
  });

  it('issues no token without a record: a success whose record cannot be written answers the store error', async () => {
    const down = {
      ...store.signInLog,
      append: async () => {
        throw new StoreUnavailableError('sqlite', 1, 'busy');
      },
    };
    await expect(recorded(async () => result(), down).verify(response, undefined, facts)).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
  });
});
