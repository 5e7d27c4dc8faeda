/**
 * Every rule of the FIDO2 policy (DESIGN.md §7, issue 3 item 3), over HTTP on the local host: each
 * refused with its status, Graph error code and a message naming the rule, with nothing written,
 * and each allowed when the policy allows it.
 */
import { decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { ChallengeSealer } from '../../shared/domain/webauthn/sealedChallenge';
import type { StoredCredential } from '../../shared/ports/credentials.port';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import {
  authenticationOptions,
  DEFAULT_PROFILE_ID,
  expectRefused,
  register,
  registrationOptions,
  setPolicy,
  signIn,
  StoreProbe,
  YUBIKEY_5,
} from '../support/ceremonies';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';
import { SoftAuthenticator, type CeremonyOptions } from '../../cli/authenticators/soft';

const CONTOSO_KEY = '5ca1ab1e-0000-4000-8000-00000000c0de';
const PILOT = DemoTenant.pilotGroup.id;
const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
const VERIFY = '/webauthn/registration/verify';

describe('FIDO2 policy rules over HTTP: each refused and allowed', () => {
  let svc: TestService;
  let probe: StoreProbe;
  let policyAdmin: string;
  let alice: string;
  let bob: string;
  let guest: string;
  /** Passkeys registered while everything was allowed. */
  const aliceKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  const bobKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });

  beforeAll(async () => {
    svc = await startTestService();
    probe = new StoreProbe(svc.dataDir);
    policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    [alice, bob, guest] = await Promise.all([ALICE, BOB, 'guest@fabrikam.com'].map((upn) => svc.token({ upn })));
    await setPolicy(svc, policyAdmin);
    expect((await register(svc, alice, aliceKey)).res.status).toBe(201);
    expect((await register(svc, bob, bobKey)).res.status).toBe(201);
  });
  afterAll(async () => {
    probe.close();
    await svc.close();
  });
  beforeEach(() => setPolicy(svc, policyAdmin));

  const credentialsOf = async (userId: string) =>
    (await svc.app.store.credentials.listByUser(userId)).map((c) => c.id).sort();
  const stored = async (id: string): Promise<StoredCredential> => (await svc.app.store.credentials.get(id))!.value;

  /** Options issued now (while allowed) and a credential made for them, to post after the policy changed. */
  async function pendingRegistration(token: string, key: SoftAuthenticator) {
    const options = await registrationOptions(svc, token);
    expect(options.status).toBe(200);
    const credential = await key.createCredential(options.body, { origin: FRONTEND_ORIGIN });
    return { options: options.body, post: () => svc.call('POST', VERIFY, { token, body: { credential } }) };
  }

  /**
   * Runs `refusals` and checks they wrote no credential and (registration) audited nothing. A
   * sign-in refused by policy consumes its challenge before it is recorded (so a replay cannot add
   * a second record): one consumed challenge per recorded refusal, none for registrations.
   */
  async function expectNothingWritten(
    refusals: () => Promise<void>,
    audit: { signInRefusals: number } = { signInRefusals: 0 },
  ) {
    const before = probe.ceremonyState();
    const audits = probe.auditCount();
    await refusals();
    expect(probe.ceremonyState()).toEqual({
      ...before,
      consumedChallenges: before.consumedChallenges + audit.signInRefusals,
    });
    // A refused sign-in is recorded (a failure in the audit log); a refused registration writes nothing at all.
    expect(probe.auditCount()).toBe(audits + audit.signInRefusals);
    if (audit.signInRefusals > 0) {
      const { items } = await svc.app.store.audit.list({ top: audit.signInRefusals });
      for (const record of items) expect(record).toMatchObject({ category: 'Authentication', result: 'failure' });
    }
  }

  it('method disabled: registration options, registration and sign-in refused; enabled again: allowed', async () => {
    const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const pending = await pendingRegistration(alice, key);
    const aliceBefore = await credentialsOf(DemoTenant.alice.id);
    await setPolicy(svc, policyAdmin, { state: 'disabled' });

    await expectNothingWritten(
      async () => {
        expectRefused(await registrationOptions(svc, alice), 403, 'fido2MethodDisabled', /disabled/);
        expectRefused(await pending.post(), 403, 'fido2MethodDisabled', /disabled/);
        expectRefused(await signIn(svc, aliceKey, ALICE), 403, 'fido2MethodDisabled', /disabled/);
      },
      { signInRefusals: 1 },
    );
    expect(await credentialsOf(DemoTenant.alice.id)).toEqual(aliceBefore);

    await setPolicy(svc, policyAdmin, { state: 'enabled' });
    expect((await pending.post()).status).toBe(201);
    expect((await signIn(svc, aliceKey, ALICE)).status).toBe(200);
    expect((await registrationOptions(svc, alice)).status).toBe(200);
  });

  it('includeTargets a group: bob (not a member) refused at registration and sign-in; alice (member) allowed', async () => {
    const pending = await pendingRegistration(bob, new SoftAuthenticator({ aaguid: YUBIKEY_5 }));
    const bobBefore = await credentialsOf(DemoTenant.bob.id);
    await setPolicy(svc, policyAdmin, { includeTargets: [{ targetType: 'group', id: PILOT }] });

    await expectNothingWritten(
      async () => {
        expectRefused(await registrationOptions(svc, bob), 403, 'fido2UserNotTargeted', /includeTargets/);
        expectRefused(await pending.post(), 403, 'fido2UserNotTargeted', /includeTargets/);
        expectRefused(await signIn(svc, bobKey, BOB), 403, 'fido2UserNotTargeted', /not targeted/);
      },
      { signInRefusals: 1 },
    );
    expect(await credentialsOf(DemoTenant.bob.id)).toEqual(bobBefore);

    expect((await register(svc, alice, new SoftAuthenticator({ aaguid: YUBIKEY_5 }))).res.status).toBe(201);
    expect((await signIn(svc, aliceKey, ALICE)).status).toBe(200);
  });

  it('excludeTargets a group: alice (member) refused at registration and sign-in; bob allowed', async () => {
    const pending = await pendingRegistration(alice, new SoftAuthenticator({ aaguid: YUBIKEY_5 }));
    await setPolicy(svc, policyAdmin, { excludeTargets: [{ targetType: 'group', id: PILOT }] });

    await expectNothingWritten(
      async () => {
        expectRefused(await registrationOptions(svc, alice), 403, 'fido2UserExcluded', /excludeTargets/);
        expectRefused(await pending.post(), 403, 'fido2UserExcluded', /excludeTargets/);
        expectRefused(await signIn(svc, aliceKey, ALICE), 403, 'fido2UserExcluded', /excludeTargets/);
      },
      { signInRefusals: 1 },
    );

    expect((await signIn(svc, bobKey, BOB)).status).toBe(200);
    expect((await register(svc, bob, new SoftAuthenticator({ aaguid: YUBIKEY_5 }))).res.status).toBe(201);
  });

  it('self-service registration off: refused (sign-in unaffected); on: allowed', async () => {
    const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const pending = await pendingRegistration(alice, key);
    await setPolicy(svc, policyAdmin, { isSelfServiceRegistrationAllowed: false });

    await expectNothingWritten(async () => {
      expectRefused(
        await registrationOptions(svc, alice),
        403,
        'selfServiceRegistrationDisabled',
        /isSelfServiceRegistrationAllowed: false/,
      );
      expectRefused(await pending.post(), 403, 'selfServiceRegistrationDisabled', /Self-service/);
    });
    expect((await signIn(svc, aliceKey, ALICE)).status).toBe(200);

    await setPolicy(svc, policyAdmin, { isSelfServiceRegistrationAllowed: true });
    const res = await pending.post();
    expect(res.status).toBe(201);
    expect(await credentialsOf(DemoTenant.alice.id)).toContain(res.body.id);
  });

  it('key restrictions: allow list refuses unlisted AAGUIDs at registration and, once removed, at sign-in; block list refuses; not enforced allows', async () => {
    const unlisted = new SoftAuthenticator({ aaguid: CONTOSO_KEY });
    const yubiKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const allow = (aaGuids: string[]) =>
      setPolicy(svc, policyAdmin, { keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids } });

    await allow([YUBIKEY_5]);
    await expectNothingWritten(async () => {
      const { res } = await register(svc, alice, unlisted);
      expectRefused(
        res,
        403,
        'fido2KeyRestrictionViolation',
        new RegExp(`key restrictions allow only listed AAGUIDs and AAGUID ${CONTOSO_KEY} is not on the allow list`),
      );
    });
    const listed = await register(svc, alice, yubiKey);
    expect(listed.res.status).toBe(201);
    expect((await signIn(svc, yubiKey, ALICE)).status).toBe(200);
    const afterUse = await stored(listed.id);

    // Removing the AAGUID from the allow list locks the existing passkey out at its next sign-in.
    await allow([CONTOSO_KEY]);
    await expectNothingWritten(
      async () => {
        expectRefused(
          await signIn(svc, yubiKey, ALICE),
          403,
          'fido2KeyRestrictionViolation',
          new RegExp(`refuses this passkey at sign-in: key restrictions .*${YUBIKEY_5}.*not on the allow list`),
        );
      },
      { signInRefusals: 1 },
    );
    expect(await stored(listed.id)).toEqual(afterUse);
    expect((await register(svc, alice, unlisted)).res.status).toBe(201);

    await setPolicy(svc, policyAdmin, {
      keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [YUBIKEY_5] },
    });
    await expectNothingWritten(
      async () => {
        expectRefused(
          await signIn(svc, yubiKey, ALICE),
          403,
          'fido2KeyRestrictionViolation',
          new RegExp(`key restrictions block AAGUID ${YUBIKEY_5}`),
        );
        const { res } = await register(svc, alice, new SoftAuthenticator({ aaguid: YUBIKEY_5 }));
        expectRefused(res, 403, 'fido2KeyRestrictionViolation', /key restrictions block/);
      },
      { signInRefusals: 1 },
    );
    expect(await stored(listed.id)).toEqual(afterUse);

    await setPolicy(svc, policyAdmin, {
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [YUBIKEY_5] },
    });
    expect((await signIn(svc, yubiKey, ALICE)).status).toBe(200);
    expect((await register(svc, alice, new SoftAuthenticator({ aaguid: YUBIKEY_5 }))).res.status).toBe(201);
  });

  it('passkey profile with passkeyTypes deviceBound only (v1.0): a backup-eligible passkey is refused, a device-bound one allowed; synced allowed again', async () => {
    const synced = new SoftAuthenticator({
      aaguid: CONTOSO_KEY,
      flags: { be: true, bs: true },
      authenticatorAttachment: 'platform',
      transports: ['internal', 'hybrid'],
    });
    await setPolicy(svc, policyAdmin, {
      passkeyProfiles: [
        {
          id: DEFAULT_PROFILE_ID,
          name: 'Device-bound only',
          passkeyTypes: 'deviceBound',
          attestationEnforcement: 'disabled',
          keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
        },
      ],
    });
    expect(
      (
        await svc.call('GET', '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2', {
          token: policyAdmin,
        })
      ).body.passkeyProfiles[0].passkeyTypes,
    ).toBe('deviceBound');

    await expectNothingWritten(async () => {
      const { res } = await register(svc, alice, synced);
      expectRefused(
        res,
        403,
        'fido2PasskeyTypeNotAllowed',
        /passkey profile 'Device-bound only' allows deviceBound passkeys, and this one is synced \(its backup-eligible flag is true\)/,
      );
    });
    const deviceBound = await register(svc, alice, new SoftAuthenticator({ aaguid: CONTOSO_KEY }));
    expect(deviceBound.res.status).toBe(201);
    expect(deviceBound.res.body.passkeyType).toBe('deviceBound');

    await setPolicy(svc, policyAdmin);
    const ok = await register(svc, alice, synced);
    expect(ok.res.status).toBe(201);
    expect(ok.res.body).toMatchObject({ passkeyType: 'synced', aaGuid: CONTOSO_KEY });
    expect(await stored(ok.id)).toMatchObject({ backupEligible: true, backedUp: true });
    expect((await signIn(svc, synced, ALICE, { credentialId: ok.id })).status).toBe(200);
  });

  it('a guest (userType Guest) cannot register, even with everything allowed; a member can', async () => {
    expectRefused(
      await registrationOptions(svc, guest),
      403,
      'guestRegistrationNotAllowed',
      /guest \(userType 'Guest'/,
    );
    // Even a guest holding a genuine registration challenge of its own is refused at verification.
    const template = (await registrationOptions(svc, alice)).body;
    const challenge = new ChallengeSealer(svc.app.serverSecret).seal({
      ceremony: 'registration',
      userId: DemoTenant.guest.id,
      expiresAt: Date.now() + 60_000,
    });
    const credential = await new SoftAuthenticator({ aaguid: YUBIKEY_5 }).createCredential(
      { ...template, challenge, user: { ...template.user, name: 'guest@fabrikam.com' } },
      { origin: FRONTEND_ORIGIN },
    );
    await expectNothingWritten(async () => {
      expectRefused(
        await svc.call('POST', VERIFY, { token: guest, body: { credential } }),
        403,
        'guestRegistrationNotAllowed',
        /guests cannot register passkeys/,
      );
    });
    expect(await credentialsOf(DemoTenant.guest.id)).toEqual([]);
    expect((await register(svc, alice, new SoftAuthenticator({ aaguid: YUBIKEY_5 }))).res.status).toBe(201);
  });

  describe('user verification, origin, RP ID and ceremony type', () => {
    const registrationCases: Array<[string, Partial<CeremonyOptions>, RegExp]> = [
      ['user verification missing (uv: false)', { flags: { uv: false } }, /user verification/i],
      ['an origin not in ORIGINS', { origin: 'https://evil.example' }, /origin "https:\/\/evil\.example"/],
      ['an RP ID that is not ours', { rpId: 'evil.example' }, /RP ID/],
      ['clientData of type webauthn.get', { clientData: { type: 'webauthn.get' } }, /type: webauthn\.get/],
    ];
    it.each(registrationCases)(
      'registration with %s: 400; a correct response to the same options: 201',
      async (_name, bad, rule) => {
        const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
        const options = (await registrationOptions(svc, alice)).body;
        const credential = await key.createCredential(options, { origin: FRONTEND_ORIGIN, ...bad });
        await expectNothingWritten(async () => {
          expectRefused(
            await svc.call('POST', VERIFY, { token: alice, body: { credential } }),
            400,
            'invalidWebAuthnResponse',
            rule,
          );
        });
        const good = await key.createCredential(options, { origin: FRONTEND_ORIGIN });
        expect((await svc.call('POST', VERIFY, { token: alice, body: { credential: good } })).status).toBe(201);
      },
    );

    const signInCases: Array<[string, Partial<CeremonyOptions>, RegExp]> = [
      ['user verification missing (uv: false)', { flags: { uv: false } }, /user verification/i],
      ['an origin not in ORIGINS', { origin: 'https://evil.example' }, /origin "https:\/\/evil\.example"/],
      ['an RP ID that is not ours', { rpId: 'evil.example' }, /RP ID/],
      ['clientData of type webauthn.create', { clientData: { type: 'webauthn.create' } }, /type: webauthn\.create/],
    ];
    it.each(signInCases)(
      'sign-in with %s: 401, sign count unchanged; a correct assertion for the same options: 200',
      async (_name, bad, rule) => {
        const options = (await authenticationOptions(svc, BOB)).body;
        const before = await stored(bobKey.credentials[0].id);
        const assertion = await bobKey.getAssertion(options, {
          origin: FRONTEND_ORIGIN,
          credentialId: before.id,
          ...bad,
        });
        await expectNothingWritten(async () => {
          expectRefused(
            await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } }),
            401,
            'fido2SignInFailed',
            rule,
          );
        });
        expect(await stored(before.id)).toEqual(before);
        const good = await bobKey.getAssertion(options, { origin: FRONTEND_ORIGIN });
        const res = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: good } });
        expect(res.status).toBe(200);
        expect((await stored(before.id)).signCount).toBeGreaterThan(before.signCount);
      },
    );
  });

  it('EdDSA credentials register and sign in', async () => {
    const ed = new SoftAuthenticator({ aaguid: YUBIKEY_5, algorithm: 'EdDSA' });
    const { res, id } = await register(svc, alice, ed);
    expect(res.status).toBe(201);
    const cose = decodeCredentialPublicKey(Buffer.from((await stored(id)).publicKey, 'base64url'));
    expect(cose.get(3)).toBe(-8);
    for (const expected of [1, 2]) {
      const signedIn = await signIn(svc, ed, ALICE, { credentialId: id });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.method.id).toBe(id);
      expect((await stored(id)).signCount).toBe(expected);
    }
  });
});
