import { DemoTenant } from '../seedDemoTenant';
import { registrationResponse, UNLISTED_AAGUID, YUBIKEY_5 } from '../../../test/support/fakeWebAuthn';
import {
  ADMIN_ACTOR,
  ADMIN_APP,
  createWebAuthnServices,
  refusalOf,
  registerPasskey,
  TIMEOUT_MS,
  WebAuthnServices,
} from '../../../test/support/webauthnServices';
import { RegistrationMode } from './registrationService';

const ALICE = DemoTenant.alice.userPrincipalName;
const PILOT = DemoTenant.pilotGroup.id;
const allowYubiKey = { isEnforced: true, enforcementType: 'allow' as const, aaGuids: [YUBIKEY_5] };

describe('RegistrationService (sqlite in memory, fake WebAuthn port)', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
    await s.setPolicy();
  });
  afterEach(() => s.close());

  /** Options for Alice in `mode`, then the response to post back (the fake port verifies it). */
  async function pending(mode: RegistrationMode = 'selfService', upn = ALICE, id = 'cred-1') {
    const { options } = await s.registration.options(upn, mode, { timeoutMs: TIMEOUT_MS });
    return registrationResponse(options.challenge, id);
  }
  const verify = (
    response: ReturnType<typeof registrationResponse>,
    mode: RegistrationMode = 'selfService',
    upn = ALICE,
  ) => s.registration.verify(upn, mode, response, undefined, ADMIN_ACTOR);
  const nothingStored = async () => expect(await s.store.credentials.listByUser(DemoTenant.alice.id)).toEqual([]);

  it('stores an allowed passkey with its audit record, named by its model', async () => {
    const method = await registerPasskey(s, ALICE, 'cred-1');
    expect(method).toMatchObject({
      id: 'cred-1',
      displayName: 'YubiKey 5 Series',
      aaGuid: YUBIKEY_5,
      model: 'YubiKey 5 Series',
      attestationLevel: 'notAttested',
      passkeyType: 'deviceBound',
    });
    expect((await s.store.credentials.get('cred-1'))?.value).toMatchObject({
      userId: DemoTenant.alice.id,
      publicKey: 'public-key-of-cred-1',
      signCount: 0,
    });
    const { items } = await s.store.audit.list({ top: 1 });
    expect(items[0]).toMatchObject({
      activityDisplayName: 'Add Passkey (device-bound) security key',
      targetResources: [expect.objectContaining({ id: DemoTenant.alice.id })],
    });
  });

  it('names an administrator provisioning a key in the audit record, and the ceremony is "provisioning"', async () => {
    const response = await pending('admin');
    await verify(response, 'admin');
    expect((await s.store.audit.list({ top: 1 })).items[0].activityDisplayName).toBe(
      'Add Passkey (device-bound) security key on behalf of user',
    );
  });

  it('excludes the passkeys the user already has from new options', async () => {
    await registerPasskey(s, ALICE, 'cred-1');
    const { options } = await s.registration.options(ALICE, 'selfService', { timeoutMs: TIMEOUT_MS });
    expect(options.excludeCredentials).toEqual([{ id: 'cred-1', type: 'public-key' }]);
  });

  describe('options refused before any challenge is issued (403)', () => {
    it.each<[string, string, () => Promise<unknown>, string, RegistrationMode]>([
      ['the method is disabled', 'fido2MethodDisabled', () => s.setPolicy({ state: 'disabled' }), ALICE, 'selfService'],
      [
        'the user is excluded',
        'fido2UserExcluded',
        () => s.setPolicy({ excludeTargets: [{ targetType: 'group', id: PILOT }] }),
        ALICE,
        'selfService',
      ],
      [
        'the user is not targeted',
        'fido2UserNotTargeted',
        () => s.setPolicy({ includeTargets: [{ targetType: 'group', id: PILOT }] }),
        DemoTenant.bob.userPrincipalName,
        'selfService',
      ],
      [
        'self-service is off',
        'selfServiceRegistrationDisabled',
        () => s.setPolicy({ isSelfServiceRegistrationAllowed: false }),
        ALICE,
        'selfService',
      ],
      [
        'an administrator provisions a guest',
        'guestRegistrationNotAllowed',
        async () => undefined,
        DemoTenant.guest.userPrincipalName,
        'admin',
      ],
      [
        'an administrator provisions a disabled account',
        'userAccountDisabled',
        () => s.directory.updateUser(DemoTenant.alice.id, { accountEnabled: false }, ADMIN_APP),
        ALICE,
        'admin',
      ],
    ])('%s (%s)', async (_title, code, arrange, upn, mode) => {
      await arrange();
      const error = await refusalOf(s.registration.options(upn, mode, { timeoutMs: TIMEOUT_MS }));
      expect(error).toMatchObject({ kind: 'forbidden', code });
      expect(s.webauthn.calls).not.toContain('registrationOptions');
    });

    it('an unknown user is not found (404)', async () => {
      expect(
        await refusalOf(s.registration.options('nobody@contoso.com', 'selfService', { timeoutMs: TIMEOUT_MS })),
      ).toMatchObject({ kind: 'notFound' });
    });

    it('self-service off still lets an administrator provision', async () => {
      await s.setPolicy({ isSelfServiceRegistrationAllowed: false });
      await expect(s.registration.options(ALICE, 'admin', { timeoutMs: TIMEOUT_MS })).resolves.toBeDefined();
    });
  });

  describe('verify refused with nothing stored', () => {
    it.each<[string, string, Record<string, unknown>]>([
      ['an unlisted AAGUID under an allow list', 'fido2KeyRestrictionViolation', { aaGuid: UNLISTED_AAGUID }],
      ['a synced passkey under a device-bound profile', 'fido2PasskeyTypeNotAllowed', { backupEligible: true }],
    ])('%s (%s, 403)', async (_title, code, facts) => {
      await s.setPolicy({
        keyRestrictions: allowYubiKey,
        passkeyProfiles: [
          {
            id: '00000000-0000-0000-0000-000000000001',
            name: 'Default passkey profile',
            passkeyTypes: ['deviceBound'],
            attestationEnforcement: 'disabled',
            keyRestrictions: allowYubiKey,
          },
        ],
      });
      const response = await pending();
      s.webauthn.registration = facts;
      expect(await refusalOf(verify(response))).toMatchObject({ kind: 'forbidden', code });
      await nothingStored();
    });

    it('an unattested passkey when attestation is enforced (fido2AttestationRequired), and the challenge stays unused', async () => {
      await s.setPolicy({ isAttestationEnforced: true });
      const response = await pending();
      s.webauthn.registration = { attested: false };
      expect(await refusalOf(verify(response))).toMatchObject({ kind: 'forbidden', code: 'fido2AttestationRequired' });
      await nothingStored();
      // a refusal does not burn the challenge: with an attested key the same options still work
      s.webauthn.registration = { attested: true };
      await expect(verify(response)).resolves.toMatchObject({ attestationLevel: 'attested' });
    });

    it('attack: a replayed registration (challengeAlreadyUsed, 400)', async () => {
      const response = await pending();
      await verify(response);
      expect(await refusalOf(verify({ ...response, id: 'cred-2', rawId: 'cred-2' }))).toMatchObject({
        kind: 'badRequest',
        code: 'challengeAlreadyUsed',
      });
      expect(await s.store.credentials.get('cred-2')).toBeNull();
    });

    it('attack: a challenge issued for another user (invalidChallenge)', async () => {
      const bobs = await pending('admin', DemoTenant.bob.userPrincipalName);
      expect(await refusalOf(verify(bobs, 'admin'))).toMatchObject({ kind: 'badRequest', code: 'invalidChallenge' });
      await nothingStored();
    });

    it('attack: a self-service challenge used for admin provisioning (invalidChallenge: ceremony)', async () => {
      const response = await pending('selfService');
      expect(await refusalOf(verify(response, 'admin'))).toMatchObject({
        code: 'invalidChallenge',
        message: expect.stringContaining('issued for registration, not provisioning'),
      });
    });

    it('an expired challenge (challengeExpired)', async () => {
      const response = await pending();
      s.clock.advance(TIMEOUT_MS);
      expect(await refusalOf(verify(response))).toMatchObject({ kind: 'badRequest', code: 'challengeExpired' });
      await nothingStored();
    });

    it('attack: a ceremony run in a cross-origin frame (crossOriginCeremony)', async () => {
      const { options } = await s.registration.options(ALICE, 'selfService', { timeoutMs: TIMEOUT_MS });
      const framed = registrationResponse(options.challenge, 'cred-1', {
        crossOrigin: true,
        topOrigin: 'https://evil.example',
      });
      expect(await refusalOf(verify(framed))).toMatchObject({ kind: 'badRequest', code: 'crossOriginCeremony' });
      await nothingStored();
    });

    it('a clientDataJSON that is not JSON (invalidWebAuthnResponse)', async () => {
      const response = await pending();
      const broken = {
        ...response,
        response: { ...response.response, clientDataJSON: Buffer.from('not json').toString('base64url') },
      };
      expect(await refusalOf(verify(broken))).toMatchObject({ kind: 'badRequest', code: 'invalidWebAuthnResponse' });
    });

    it('the policy changed since the options: the rules are checked again at verify', async () => {
      const response = await pending();
      await s.setPolicy({ state: 'disabled' });
      expect(await refusalOf(verify(response))).toMatchObject({ code: 'fido2MethodDisabled' });
      await nothingStored();
    });
  });
});
