import { userHandleFor } from '../../domain/webauthn/derivedIds';
import { DemoTenant } from '../seedDemoTenant';
import { authenticationResponse, UNLISTED_AAGUID, YUBIKEY_5 } from '../../../test/support/fakeWebAuthn';
import {
  ADMIN_APP,
  API_AUDIENCE,
  createWebAuthnServices,
  refusalOf,
  registerPasskey,
  TIMEOUT_MS,
  WebAuthnServices,
} from '../../../test/support/webauthnServices';

const ALICE = DemoTenant.alice.userPrincipalName;
const BOB = DemoTenant.bob.userPrincipalName;

describe('SignInService (sqlite in memory, fake WebAuthn port)', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
    await s.setPolicy();
    await registerPasskey(s, ALICE, 'alice-key');
    await registerPasskey(s, BOB, 'bob-key');
  });
  afterEach(() => s.close());

  /** Sign-in options (UPN-first for a UPN, usernameless for null) and an assertion by `credentialId` for them. */
  async function assertion(
    credentialId = 'alice-key',
    upn: string | null = ALICE,
    clientDataExtra: Record<string, unknown> = {},
  ) {
    const options = await s.signIn.options(upn ?? undefined);
    return authenticationResponse(options.challenge, credentialId, clientDataExtra);
  }
  const refusalsRecorded = async () =>
    (await s.store.audit.list({ top: 50 })).items.filter(
      (r) => r.activityDisplayName === 'Sign-in with passkey refused',
    );

  describe('options', () => {
    it("UPN-first lists the user's passkeys; usernameless lists none", async () => {
      expect((await s.signIn.options(ALICE)).allowCredentials).toEqual([{ id: 'alice-key', type: 'public-key' }]);
      expect((await s.signIn.options()).allowCredentials).toEqual([]);
    });

    it('attack: an unknown UPN gets decoy passkeys of the same shape, the same each time (no user enumeration)', async () => {
      const first = await s.signIn.options('nobody@contoso.com');
      const again = await s.signIn.options('nobody@contoso.com');
      expect(first.allowCredentials?.length).toBeGreaterThan(0);
      expect(first.allowCredentials).toEqual(again.allowCredentials);
      expect(first.allowCredentials).not.toEqual([{ id: 'alice-key', type: 'public-key' }]);
    });

    it('writes nothing', async () => {
      const before = (await s.store.audit.list({ top: 100 })).items.length;
      await s.signIn.options(ALICE);
      await s.signIn.options('nobody@contoso.com');
      expect((await s.store.audit.list({ top: 100 })).items.length).toBe(before);
    });
  });

  describe('verify', () => {
    it("signs a token for the passkey's owner and records the use", async () => {
      s.webauthn.authentication = { newSignCount: 0, userHandle: userHandleFor(s.serverSecret, DemoTenant.alice.id) };
      const result = await s.signIn.verify(await assertion());
      expect(result).toMatchObject({
        tokenType: 'Bearer',
        expiresIn: 3600,
        user: { id: DemoTenant.alice.id, userPrincipalName: ALICE },
        method: { id: 'alice-key', aaGuid: YUBIKEY_5 },
        reEnrolmentRequired: false,
      });
      expect(JSON.parse(result.token)).toMatchObject({
        oid: DemoTenant.alice.id,
        sub: DemoTenant.alice.id,
        aud: API_AUDIENCE,
        amr: ['fido'],
        aaguid: YUBIKEY_5,
        cred_id: 'alice-key',
        idtyp: 'user',
      });
      expect((await s.store.credentials.get('alice-key'))?.value.lastUsedDateTime).toBe(s.clock.now().toISOString());
    });

    it('usernameless: any registered passkey signs in its owner', async () => {
      await expect(s.signIn.verify(await assertion('bob-key', null))).resolves.toMatchObject({
        user: { userPrincipalName: BOB },
      });
    });

    it('signs for an allowed resource audience', async () => {
      const result = await s.signIn.verify(await assertion(), 'https://app.contoso.com');
      expect(JSON.parse(result.token).aud).toBe('https://app.contoso.com');
    });

    it.each<
      [
        string,
        string,
        string,
        RegExp,
        () => Promise<unknown>,
        () => Promise<Parameters<WebAuthnServices['signIn']['verify']>[0]>,
      ]
    >([
      [
        'a passkey that is not registered',
        'unauthorized',
        'fido2SignInFailed',
        /not registered/,
        async () => undefined,
        () => assertion('unknown-key', null),
      ],
      [
        'attack: an assertion whose signature does not verify',
        'unauthorized',
        'fido2SignInFailed',
        /signature does not verify/,
        async () => {
          s.webauthn.signatureInvalid = true;
        },
        () => assertion(),
      ],
      [
        "attack: Bob's passkey answering Alice's UPN-first challenge",
        'unauthorized',
        'fido2SignInFailed',
        /does not belong to the user the sign-in was started for/,
        async () => undefined,
        () => assertion('bob-key', ALICE),
      ],
      [
        'attack: a user handle that is not the owner',
        'unauthorized',
        'fido2SignInFailed',
        /user handle that does not match/,
        async () => {
          s.webauthn.authentication = { userHandle: userHandleFor(s.serverSecret, DemoTenant.bob.id) };
        },
        () => assertion(),
      ],
      [
        'the passkey of a deleted user (deleted with the user)',
        'unauthorized',
        'fido2SignInFailed',
        /not registered/,
        () => s.directory.deleteUser(DemoTenant.bob.id, ADMIN_APP),
        () => assertion('bob-key', null),
      ],
      [
        'a disabled account',
        'forbidden',
        'userAccountDisabled',
        /is disabled/,
        () => s.directory.updateUser(DemoTenant.alice.id, { accountEnabled: false }, ADMIN_APP),
        () => assertion(),
      ],
      [
        'attack: a registration challenge',
        'unauthorized',
        'invalidChallenge',
        /issued for registration, not authentication/,
        async () => undefined,
        async () =>
          authenticationResponse(
            (await s.registration.options(ALICE, 'selfService', { timeoutMs: TIMEOUT_MS })).options.challenge,
            'alice-key',
          ),
      ],
      [
        'attack: a cross-origin frame',
        'unauthorized',
        'crossOriginCeremony',
        /cross-origin frame/,
        async () => undefined,
        () => assertion('alice-key', ALICE, { crossOrigin: true }),
      ],
    ])('refuses %s (%s %s)', async (_title, kind, code, message, arrange, respond) => {
      const response = await respond();
      await arrange();
      expect(await refusalOf(s.signIn.verify(response))).toMatchObject({
        kind,
        code,
        message: expect.stringMatching(message),
      });
    });

    it('refuses an expired challenge (challengeExpired)', async () => {
      const response = await assertion();
      s.clock.advance(TIMEOUT_MS);
      expect(await refusalOf(s.signIn.verify(response))).toMatchObject({
        kind: 'unauthorized',
        code: 'challengeExpired',
      });
    });

    it('attack: refuses a replayed assertion (challengeAlreadyUsed)', async () => {
      const response = await assertion();
      await s.signIn.verify(response);
      expect(await refusalOf(s.signIn.verify(response))).toMatchObject({
        kind: 'unauthorized',
        code: 'challengeAlreadyUsed',
      });
    });

    it('attack: refuses a resource that is no allowed audience (invalidResource, 400), before anything else', async () => {
      const response = await assertion();
      expect(await refusalOf(s.signIn.verify(response, 'https://evil.example'))).toMatchObject({
        kind: 'badRequest',
        code: 'invalidResource',
      });
      await expect(s.signIn.verify(response)).resolves.toBeDefined();
    });

    it.each<[string, string, Parameters<WebAuthnServices['setPolicy']>[0]]>([
      ['the method was disabled', 'fido2MethodDisabled', { state: 'disabled' }],
      [
        'the AAGUID left the allow list (key restrictions apply at every sign-in)',
        'fido2KeyRestrictionViolation',
        { keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [UNLISTED_AAGUID] } },
      ],
      [
        'the AAGUID was blocked',
        'fido2KeyRestrictionViolation',
        { keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [YUBIKEY_5] } },
      ],
      [
        'the profile allows synced passkeys only (passkey types apply at every sign-in)',
        'fido2PasskeyTypeNotAllowed',
        {
          passkeyProfiles: [
            {
              id: '00000000-0000-0000-0000-000000000001',
              name: 'Synced only',
              passkeyTypes: ['synced'],
              attestationEnforcement: 'disabled',
              keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
            },
          ],
        },
      ],
    ])('refuses and records a sign-in after %s (%s, 403)', async (_title, code, patch) => {
      const response = await assertion();
      await s.setPolicy(patch);
      expect(await refusalOf(s.signIn.verify(response))).toMatchObject({ kind: 'forbidden', code });
      const recorded = await refusalsRecorded();
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({
        result: 'failure',
        resultReason: expect.stringMatching(new RegExp(`^${code}: `)),
      });
    });

    it('attack: a signature counter that does not increase is a cloned authenticator: refused, flagged and recorded', async () => {
      s.webauthn.authentication = { newSignCount: 5 };
      await s.signIn.verify(await assertion());
      s.webauthn.authentication = { newSignCount: 5 };
      expect(await refusalOf(s.signIn.verify(await assertion()))).toMatchObject({
        kind: 'forbidden',
        code: 'fido2PossibleClonedAuthenticator',
      });
      expect((await s.store.credentials.get('alice-key'))?.value).toMatchObject({
        signCount: 5,
        cloneWarningDateTime: s.clock.now().toISOString(),
      });
      expect((await refusalsRecorded())[0].resultReason).toMatch(
        /^fido2PossibleClonedAuthenticator: sign count 5 did not increase past 5/,
      );
    });

    it('accepts a counter of zero from an authenticator that never counts', async () => {
      await s.signIn.verify(await assertion());
      await expect(s.signIn.verify(await assertion())).resolves.toBeDefined();
    });
  });
});
