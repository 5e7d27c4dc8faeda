import { SoftAuthenticator } from '../../cli/authenticators/soft';
import {
  authenticationOptions,
  BASE64URL,
  DEFAULT_PROFILE_ID,
  expectRefused,
  registrationOptions,
  setPolicy,
  signIn,
  YUBIKEY_5,
} from '../support/ceremonies';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';
import type { TestJson } from '../support/testJson';

const ALICE = 'alice@contoso.com';
const noRestrictions = { isEnforced: false, enforcementType: 'block', aaGuids: [] as string[] };
const deviceBoundOnly = {
  passkeyProfiles: [
    {
      id: DEFAULT_PROFILE_ID,
      name: 'Default passkey profile',
      passkeyTypes: 'deviceBound',
      attestationEnforcement: 'disabled',
      keyRestrictions: noRestrictions,
    },
  ],
};

/**
 * Issue 12 item 2 over HTTP: automatic passkey upgrade (conditional create), the Signal API
 * arguments in sign-in answers, and creation hints from the policy. Real soft authenticator.
 */
describe('modern passkey UX over HTTP: conditional create, signals, hints', () => {
  let svc: TestService;
  let policyAdmin: string;
  let methodsAdmin: string;
  let aliceToken: string;

  beforeAll(async () => {
    svc = await startTestService();
    policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    methodsAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
    aliceToken = await svc.token({ upn: ALICE });
  });
  afterAll(() => svc.close());
  beforeEach(() => setPolicy(svc, policyAdmin));

  /** Creates a credential for `options` on `key` with user presence `up`, and posts it. */
  const createAndVerify = async (key: SoftAuthenticator, options: TestJson, up: boolean) => {
    const credential = await key.createCredential(options, { origin: FRONTEND_ORIGIN, flags: { up } });
    const res = await svc.call('POST', '/webauthn/registration/verify', { token: aliceToken, body: { credential } });
    return { res, id: credential.id };
  };

  describe('automatic passkey upgrade (mediation: "conditional")', () => {
    it('registers a passkey created without user presence (UP=0) for conditional options', async () => {
      const options = await registrationOptions(svc, aliceToken, { mediation: 'conditional' });
      expect(options.status).toBe(200);
      const { res, id } = await createAndVerify(new SoftAuthenticator({ aaguid: YUBIKEY_5 }), options.body, false);
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ id, aaGuid: YUBIKEY_5 });
    });

    it('attack: a non-conditional challenge answered with UP=0 is refused (400) and stores nothing', async () => {
      const options = await registrationOptions(svc, aliceToken);
      const { res, id } = await createAndVerify(new SoftAuthenticator({ aaguid: YUBIKEY_5 }), options.body, false);
      expectRefused(res, 400, 'invalidWebAuthnResponse', /User presence was required/);
      const listed = await svc.call('GET', `/v1.0/users/${ALICE}/authentication/fido2Methods`, { token: methodsAdmin });
      expect(listed.body.value.map((m: { id: string }) => m.id)).not.toContain(id);
    });

    it('attack: a conditional challenge cannot be used for sign-in', async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const registered = await createAndVerify(key, (await registrationOptions(svc, aliceToken)).body, true);
      expect(registered.res.status).toBe(201);
      const conditional = await registrationOptions(svc, aliceToken, { mediation: 'conditional' });
      const assertion = await key.getAssertion(
        { challenge: conditional.body.challenge, rpId: 'localhost', allowCredentials: [] },
        { origin: FRONTEND_ORIGIN },
      );
      const res = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
      expectRefused(res, 401, 'invalidChallenge', /issued for registration, not authentication/);
    });

    it('attack: the policy still applies to conditional create (a synced passkey under a device-bound-only profile)', async () => {
      await setPolicy(svc, policyAdmin, deviceBoundOnly);
      const options = await registrationOptions(svc, aliceToken, { mediation: 'conditional' });
      const synced = new SoftAuthenticator({ aaguid: YUBIKEY_5, flags: { be: true, bs: true } });
      const { res } = await createAndVerify(synced, options.body, false);
      expectRefused(res, 403, 'fido2PasskeyTypeNotAllowed', /allows deviceBound passkeys, and this one is synced/);
    });

    it('refuses a mediation other than "conditional" (400)', async () => {
      const res = await registrationOptions(svc, aliceToken, { mediation: 'silent' });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/mediation/);
    });
  });

  describe('hints in creation options follow the policy', () => {
    it.each<[string, Record<string, unknown>, string[]]>([
      ['device-bound and synced allowed', {}, ['client-device', 'hybrid']],
      ['device-bound passkeys only', deviceBoundOnly, ['security-key']],
    ])('%s', async (_title, policy, hints) => {
      await setPolicy(svc, policyAdmin, policy);
      expect((await registrationOptions(svc, aliceToken)).body.hints).toEqual(hints);
    });
  });

  describe('signals', () => {
    it('a sign-in answers signalAllAcceptedCredentials beside signalCurrentUserDetails', async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const { id } = await createAndVerify(key, (await registrationOptions(svc, aliceToken)).body, true);
      const res = await signIn(svc, key, ALICE);
      expect(res.status).toBe(200);
      expect(res.body.signalAllAcceptedCredentials).toEqual({
        rpId: 'localhost',
        userId: res.body.signalCurrentUserDetails.userId,
        allAcceptedCredentialIds: expect.arrayContaining([id]),
      });
      const listed = await svc.call('GET', `/v1.0/users/${ALICE}/authentication/fido2Methods`, { token: methodsAdmin });
      expect([...res.body.signalAllAcceptedCredentials.allAcceptedCredentialIds].sort()).toEqual(
        listed.body.value.map((m: { id: string }) => m.id).sort(),
      );
    });

    it('a passkey an administrator deleted is refused with error.signalUnknownCredential {rpId, credentialId}', async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const { id } = await createAndVerify(key, (await registrationOptions(svc, aliceToken)).body, true);
      const deleted = await svc.call('DELETE', `/v1.0/users/${ALICE}/authentication/fido2Methods/${id}`, {
        token: methodsAdmin,
      });
      expect(deleted.status).toBe(204);
      const res = await signIn(svc, key, ALICE, { credentialId: id });
      expectRefused(res, 401, 'fido2SignInFailed', /not registered/);
      expect(res.body.error.signalUnknownCredential).toEqual({ rpId: 'localhost', credentialId: id });
      expect(res.body.error.innerError['request-id']).toEqual(expect.any(String));
    });

    it('attack: the unknown-credential signal is no enumeration oracle (same answer for any unknown id, it echoes only that id)', async () => {
      const stranger = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      // a discoverable credential this service never registered, answering usernameless and UPN-first options
      const made = await stranger.createCredential(
        {
          ...(await registrationOptions(svc, aliceToken)).body,
          user: { id: 'AQID', name: 'x', displayName: 'x' },
        },
        { origin: FRONTEND_ORIGIN },
      );
      const answers = [];
      for (const upn of [undefined, ALICE, 'nobody@contoso.com']) {
        const options = await authenticationOptions(svc, upn);
        const assertion = await stranger.getAssertion(options.body, { origin: FRONTEND_ORIGIN, credentialId: made.id });
        const res = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
        expect(res.status).toBe(401);
        expect(res.body.error.signalUnknownCredential).toEqual({ rpId: 'localhost', credentialId: made.id });
        expect(made.id).toMatch(BASE64URL);
        answers.push({ code: res.body.error.code, message: res.body.error.message, keys: Object.keys(res.body.error) });
      }
      expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    });

    it('other sign-in refusals carry no signal', async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      await createAndVerify(key, (await registrationOptions(svc, aliceToken)).body, true);
      await setPolicy(svc, policyAdmin, { state: 'disabled' });
      const res = await signIn(svc, key, ALICE);
      expect(res.status).toBe(403);
      expect(res.body.error).not.toHaveProperty('signalUnknownCredential');
    });
  });
});
