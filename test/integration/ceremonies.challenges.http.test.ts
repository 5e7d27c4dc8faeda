/**
 * Challenges (single use, expiry, bound to ceremony and user, nothing stored when issued), sign-in
 * options that do not reveal who is registered, the clone (counter) rule, a parallel double
 * submission, and the sign-in token on the /me routes — over HTTP on the local host.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/ports/clock.port';
import type { StoredCredential } from '../../shared/ports/credentials.port';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import {
  authenticationOptions,
  BASE64URL,
  expectRefused,
  register,
  registrationOptions,
  setPolicy,
  signIn,
  StoreProbe,
  YUBIKEY_5,
} from '../support/ceremonies';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import type { TestJson } from '../support/testJson';

const ALICE = 'alice@contoso.com';
const BOB = 'bob@contoso.com';
const REGISTER = '/webauthn/registration/verify';
const SIGN_IN = '/webauthn/authentication/verify';
const FIVE_MINUTES = 5 * 60 * 1000;

describe('challenges, sign-in options, counters and tokens over HTTP', () => {
  let svc: TestService;
  let probe: StoreProbe;
  let alice: string;
  let bob: string;
  let offsetMs = 0;
  /** The service's clock: real time plus an offset the expiry tests move forward. */
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  const aliceKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  const bobKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  let aliceCredential: string;

  beforeAll(async () => {
    // A second audience on the allow list, for the "token for another resource" test.
    svc = await startTestService({ ALLOWED_AUDIENCES: 'api://contoso-app' }, { clock });
    probe = new StoreProbe(svc.dataDir);
    const policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    [alice, bob] = await Promise.all([svc.token({ upn: ALICE }), svc.token({ upn: BOB })]);
    await setPolicy(svc, policyAdmin);
    const registered = await register(svc, alice, aliceKey);
    expect(registered.res.status).toBe(201);
    aliceCredential = registered.id;
    expect((await register(svc, bob, bobKey)).res.status).toBe(201);
  });
  afterAll(async () => {
    probe.close();
    await svc.close();
  });
  afterEach(() => {
    offsetMs = 0;
  });

  const stored = async (id: string): Promise<StoredCredential> => (await svc.app.store.credentials.get(id))!.value;
  const verifyRegistration = (token: string, credential: unknown) =>
    svc.call('POST', REGISTER, { token, body: { credential } });
  const verifySignIn = (credential: unknown) => svc.call('POST', SIGN_IN, { body: { credential } });

  /** Runs `refusals` and checks no credential, consumed challenge or audit record was written. */
  async function expectNothingWritten(refusals: () => Promise<void>) {
    const before = probe.ceremonyState();
    const audits = probe.auditCount();
    await refusals();
    expect(probe.ceremonyState()).toEqual(before);
    expect(probe.auditCount()).toBe(audits);
  }

  describe('single use', () => {
    it('a verified assertion replayed: 401 challengeAlreadyUsed, sign count unchanged', async () => {
      const options = (await authenticationOptions(svc, ALICE)).body;
      const assertion = await aliceKey.getAssertion(options, { origin: FRONTEND_ORIGIN });
      expect((await verifySignIn(assertion)).status).toBe(200);
      const after = await stored(aliceCredential);
      await expectNothingWritten(async () => {
        expectRefused(await verifySignIn(assertion), 401, 'challengeAlreadyUsed', /already used/);
      });
      expect(await stored(aliceCredential)).toEqual(after);
    });

    it('a verified registration replayed: 400 challengeAlreadyUsed, no second credential', async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const options = (await registrationOptions(svc, alice)).body;
      const credential = await key.createCredential(options, { origin: FRONTEND_ORIGIN });
      expect((await verifyRegistration(alice, credential)).status).toBe(201);
      const count = (await svc.app.store.credentials.listByUser(DemoTenant.alice.id)).length;
      await expectNothingWritten(async () => {
        expectRefused(await verifyRegistration(alice, credential), 400, 'challengeAlreadyUsed', /already used/);
        // A different new credential for the same (used) options is refused too.
        const another = await new SoftAuthenticator({ aaguid: YUBIKEY_5 }).createCredential(options, {
          origin: FRONTEND_ORIGIN,
        });
        expectRefused(await verifyRegistration(alice, another), 400, 'challengeAlreadyUsed', /already used/);
      });
      expect(await svc.app.store.credentials.listByUser(DemoTenant.alice.id)).toHaveLength(count);
    });

    it('the same assertion verified twice in parallel: exactly one 200 and one 401, the counter moves once', async () => {
      for (let round = 0; round < 3; round++) {
        const before = await stored(aliceCredential);
        const options = (await authenticationOptions(svc, ALICE)).body;
        const assertion = await aliceKey.getAssertion(options, { origin: FRONTEND_ORIGIN });
        const results = await Promise.all([verifySignIn(assertion), verifySignIn(assertion)]);
        expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
        expect(results.find((r) => r.status === 401)!.body.error.code).toBe('challengeAlreadyUsed');
        expect((await stored(aliceCredential)).signCount).toBe(before.signCount + 1);
      }
    });
  });

  describe('expiry (injected clock)', () => {
    it('registration options used after 5 minutes: 400 challengeExpired; within 5 minutes: 201', async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const options = (await registrationOptions(svc, alice)).body;
      expect(options.timeout).toBe(FIVE_MINUTES);
      const credential = await key.createCredential(options, { origin: FRONTEND_ORIGIN });
      offsetMs = FIVE_MINUTES + 1000;
      await expectNothingWritten(async () => {
        expectRefused(await verifyRegistration(alice, credential), 400, 'challengeExpired', /challenge expired/);
      });
      offsetMs = FIVE_MINUTES - 10_000;
      expect((await verifyRegistration(alice, credential)).status).toBe(201);
    });

    it('sign-in options used after 5 minutes: 401 challengeExpired; within 5 minutes: 200', async () => {
      const options = (await authenticationOptions(svc, BOB)).body;
      expect(options.timeout).toBe(FIVE_MINUTES);
      const assertion = await bobKey.getAssertion(options, { origin: FRONTEND_ORIGIN });
      offsetMs = FIVE_MINUTES + 1000;
      await expectNothingWritten(async () => {
        expectRefused(await verifySignIn(assertion), 401, 'challengeExpired', /challenge expired/);
      });
      offsetMs = FIVE_MINUTES - 10_000;
      expect((await verifySignIn(assertion)).status).toBe(200);
    });
  });

  describe('bound to ceremony and user; issued by us', () => {
    it('a registration challenge used for sign-in: 401; a sign-in challenge used for registration: 400', async () => {
      const registrationChallenge = (await registrationOptions(svc, alice)).body.challenge;
      const signInOptions = (await authenticationOptions(svc, ALICE)).body;
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const creationOptions = (await registrationOptions(svc, alice)).body;
      await expectNothingWritten(async () => {
        const assertion = await aliceKey.getAssertion(
          { ...signInOptions, challenge: registrationChallenge },
          { origin: FRONTEND_ORIGIN },
        );
        expectRefused(
          await verifySignIn(assertion),
          401,
          'invalidChallenge',
          /issued for registration, not authentication/,
        );
        const credential = await key.createCredential(
          { ...creationOptions, challenge: signInOptions.challenge },
          { origin: FRONTEND_ORIGIN },
        );
        expectRefused(
          await verifyRegistration(alice, credential),
          400,
          'invalidChallenge',
          /issued for authentication, not registration/,
        );
      });
      // Each challenge still works for its own ceremony.
      expect((await verifySignIn(await aliceKey.getAssertion(signInOptions, { origin: FRONTEND_ORIGIN }))).status).toBe(
        200,
      );
      expect(
        (
          await verifyRegistration(
            alice,
            await key.createCredential(creationOptions, { origin: FRONTEND_ORIGIN, ignoreExcludeCredentials: true }),
          )
        ).status,
      ).toBe(201);
    });

    it("alice's registration options posted with bob's token: 400; with alice's: 201", async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const options = (await registrationOptions(svc, alice)).body;
      const credential = await key.createCredential(options, { origin: FRONTEND_ORIGIN });
      const bobBefore = await svc.app.store.credentials.listByUser(DemoTenant.bob.id);
      await expectNothingWritten(async () => {
        expectRefused(await verifyRegistration(bob, credential), 400, 'invalidChallenge', /issued for another user/);
      });
      expect(await svc.app.store.credentials.listByUser(DemoTenant.bob.id)).toEqual(bobBefore);
      expect((await verifyRegistration(alice, credential)).status).toBe(201);
    });

    it("sign-in started for alice (UPN-first) answered with bob's passkey: 401; with alice's: 200", async () => {
      const options = (await authenticationOptions(svc, ALICE)).body;
      const bobBefore = await stored(bobKey.credentials[0].id);
      await expectNothingWritten(async () => {
        const assertion = await bobKey.getAssertion(options, { origin: FRONTEND_ORIGIN, credentialId: bobBefore.id });
        expectRefused(
          await verifySignIn(assertion),
          401,
          'fido2SignInFailed',
          /does not belong to the user the sign-in was started for/,
        );
      });
      expect(await stored(bobBefore.id)).toEqual(bobBefore);
      expect((await verifySignIn(await aliceKey.getAssertion(options, { origin: FRONTEND_ORIGIN }))).status).toBe(200);
    });

    it('forged, garbage and tampered challenges are refused', async () => {
      const signInOptions = (await authenticationOptions(svc, ALICE)).body;
      const creationOptions = (await registrationOptions(svc, alice)).body;
      const genuine = Buffer.from(signInOptions.challenge, 'base64url');
      const tampered = Buffer.from(genuine);
      tampered[20] ^= 0x01;
      const forged = [randomBytes(genuine.length).toString('base64url'), 'garbage', tampered.toString('base64url'), ''];
      await expectNothingWritten(async () => {
        for (const challenge of forged) {
          const assertion = await aliceKey.getAssertion(signInOptions, {
            origin: FRONTEND_ORIGIN,
            clientData: { challenge },
          });
          expectRefused(await verifySignIn(assertion), 401, 'invalidChallenge', /not issued by this service/);
          const credential = await new SoftAuthenticator({ aaguid: YUBIKEY_5 }).createCredential(creationOptions, {
            origin: FRONTEND_ORIGIN,
            clientData: { challenge },
          });
          expectRefused(
            await verifyRegistration(alice, credential),
            400,
            'invalidChallenge',
            /not issued by this service/,
          );
        }
      });
    });

    it('issuing options writes nothing: 50 sign-in options (known, unknown, no UPN) and 10 registration options', async () => {
      // Let the outbox relay publish the setup's changes first: its position is a write of its own.
      await svc.events.drain();
      const counts = probe.counts();
      const version = probe.dataVersion();
      const audits = (await svc.app.store.audit.list({ top: 1000 })).items.length;
      const upns = [ALICE, BOB, 'nobody@contoso.com', undefined, `x${randomBytes(4).toString('hex')}@contoso.com`];
      const responses = await Promise.all(
        Array.from({ length: 50 }, (_, i) => authenticationOptions(svc, upns[i % upns.length])),
      );
      expect(responses.every((r) => r.status === 200)).toBe(true);
      expect(new Set(responses.map((r) => r.body.challenge)).size).toBe(50);
      for (let i = 0; i < 10; i++) expect((await registrationOptions(svc, alice)).status).toBe(200);
      expect(probe.dataVersion()).toBe(version);
      expect(probe.counts()).toEqual(counts);
      expect((await svc.app.store.audit.list({ top: 1000 })).items.length).toBe(audits);
    });
  });

  describe('sign-in options do not reveal who is registered', () => {
    it('an unknown UPN and a user without passkeys get options indistinguishable from a known user', async () => {
      const bodies = await Promise.all(
        [ALICE, 'carol.nobody@contoso.com', 'admin@contoso.com'].map(
          async (upn) => (await authenticationOptions(svc, upn)).body,
        ),
      );
      const [known, unknown, noPasskeys] = bodies;
      expect(known.allowCredentials.map((c: { id: string }) => c.id)).toContain(aliceCredential);
      // Every field but the descriptors is alike; descriptors are drawn like real lists (the
      // statistical test is test/hardening/userEnumeration.test.ts) with canonical transports.
      const withoutDescriptors = (body: TestJson) => ({
        ...body,
        challenge: Buffer.from(body.challenge, 'base64url').length,
        allowCredentials: undefined,
      });
      const canonical = [undefined, JSON.stringify(['hybrid', 'internal']), JSON.stringify(['nfc', 'usb'])];
      for (const body of [known, unknown, noPasskeys]) {
        expect(Object.keys(body).sort()).toEqual(Object.keys(known).sort());
        expect(withoutDescriptors(body)).toEqual(withoutDescriptors(known));
        expect(body.allowCredentials.length).toBeGreaterThanOrEqual(1);
        if (body !== known) expect(body.allowCredentials.length).toBeLessThanOrEqual(3);
        for (const descriptor of body.allowCredentials) {
          expect(descriptor.type).toBe('public-key');
          expect(descriptor.id).toMatch(BASE64URL);
          expect(Buffer.from(descriptor.id, 'base64url').length).toBeGreaterThanOrEqual(16);
          expect(canonical).toContain(descriptor.transports && JSON.stringify(descriptor.transports));
        }
      }
      const ids = async (upn: string) =>
        (await authenticationOptions(svc, upn)).body.allowCredentials.map((c: { id: string }) => c.id);
      expect(await ids('carol.nobody@contoso.com')).toEqual(unknown.allowCredentials.map((c: { id: string }) => c.id));
      expect(await ids('CAROL.Nobody@contoso.com')).toEqual(await ids('carol.nobody@contoso.com'));
      expect(await ids('admin@contoso.com')).toEqual(noPasskeys.allowCredentials.map((c: { id: string }) => c.id));
      expect(await ids('dave.nobody@contoso.com')).not.toEqual(await ids('carol.nobody@contoso.com'));
      expect(await ids('admin@contoso.com')).not.toEqual(await ids('carol.nobody@contoso.com'));
    });

    it("options for an unknown UPN or a user without passkeys cannot be answered with someone else's passkey, and fail alike", async () => {
      const messages: string[] = [];
      for (const upn of ['carol.nobody@contoso.com', 'admin@contoso.com']) {
        const options = (await authenticationOptions(svc, upn)).body;
        const assertion = await aliceKey.getAssertion(options, {
          origin: FRONTEND_ORIGIN,
          credentialId: aliceCredential,
        });
        const res = await verifySignIn(assertion);
        expectRefused(res, 401, 'fido2SignInFailed', /does not belong to the user the sign-in was started for/);
        messages.push(res.body.error.message);
      }
      expect(messages[0]).toBe(messages[1]);
    });
  });

  describe('sign count (clone detection)', () => {
    it('a counter that does not increase: 403 fido2PossibleClonedAuthenticator, flagged and audited; a higher one signs in', async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const { res, id } = await register(svc, bob, key);
      expect(res.status).toBe(201);
      expect((await signIn(svc, key, BOB, { credentialId: id })).status).toBe(200);
      expect((await signIn(svc, key, BOB, { credentialId: id })).status).toBe(200);
      const before = await stored(id);
      expect(before).toMatchObject({ signCount: 2, cloneWarningDateTime: null });

      for (const signCount of [1, 2]) {
        const refused = await signIn(svc, key, BOB, { credentialId: id, signCount });
        expectRefused(
          refused,
          403,
          'fido2PossibleClonedAuthenticator',
          new RegExp(`counter did not increase \\(received ${signCount}, expected more than 2\\)`),
        );
      }
      const flagged = await stored(id);
      expect(flagged.signCount).toBe(2);
      expect(flagged.lastUsedDateTime).toBe(before.lastUsedDateTime);
      expect(Date.parse(flagged.cloneWarningDateTime!)).not.toBeNaN();
      const { items } = await svc.app.store.audit.list({ top: 5 });
      const record = items.find(
        (r) => r.category === 'Authentication' && (r.after as { methodId?: string })?.methodId === id,
      );
      expect(record).toMatchObject({
        category: 'Authentication',
        result: 'failure',
        initiatedBy: { user: { id: DemoTenant.bob.id } },
      });
      expect(record!.resultReason).toMatch(/^fido2PossibleClonedAuthenticator: sign count 2 did not increase past 2/);

      const method = await svc.call('GET', `/v1.0/me/authentication/fido2Methods/${id}`, { token: bob });
      expect(method.status).toBe(200);
      expect((await signIn(svc, key, BOB, { credentialId: id, signCount: 10 })).status).toBe(200);
      expect((await stored(id)).signCount).toBe(10);
    });

    it('an authenticator without a counter (always 0) keeps working', async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5, signCountIncrement: 0 });
      const { res, id } = await register(svc, bob, key);
      expect(res.status).toBe(201);
      for (let i = 0; i < 3; i++) {
        expect((await signIn(svc, key, BOB, { credentialId: id })).status).toBe(200);
      }
      expect(await stored(id)).toMatchObject({ signCount: 0, cloneWarningDateTime: null });
    });
  });

  describe('the sign-in token and the /me routes', () => {
    it("a sign-in token lists and deletes the signed-in user's own passkeys; not someone else's", async () => {
      const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      const extra = await register(svc, alice, key);
      expect(extra.res.status).toBe(201);
      const signedIn = await signIn(svc, key, ALICE, { credentialId: extra.id });
      expect(signedIn.status).toBe(200);
      const token = signedIn.body.token as string;

      const mine = await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token });
      expect(mine.status).toBe(200);
      const mineIds = mine.body.value.map((m: { id: string }) => m.id);
      expect(mineIds).toEqual((await svc.app.store.credentials.listByUser(DemoTenant.alice.id)).map((c) => c.id));

      // Bob, signed in with his passkey, cannot delete (or see) alice's passkey through /me.
      const bobSignedIn = await signIn(svc, bobKey, BOB, { credentialId: bobKey.credentials[0].id });
      expect(bobSignedIn.status).toBe(200);
      expectRefused(
        await svc.call('DELETE', `/v1.0/me/authentication/fido2Methods/${extra.id}`, { token: bobSignedIn.body.token }),
        404,
        'itemNotFound',
        /No passkey/,
      );
      expect(
        (await svc.call('GET', `/v1.0/me/authentication/fido2Methods/${extra.id}`, { token: bobSignedIn.body.token }))
          .status,
      ).toBe(404);
      expect(await stored(extra.id)).toBeTruthy();

      expect((await svc.call('DELETE', `/v1.0/me/authentication/fido2Methods/${extra.id}`, { token })).status).toBe(
        204,
      );
      expect(await svc.app.store.credentials.get(extra.id)).toBeNull();
      expect((await signIn(svc, key, ALICE, { credentialId: extra.id })).status).toBe(401);
    });

    it('a sign-in token issued for another resource is not accepted here', async () => {
      const options = (await authenticationOptions(svc, ALICE)).body;
      const res = await svc.call('POST', SIGN_IN, {
        body: {
          credential: await aliceKey.getAssertion(options, { origin: FRONTEND_ORIGIN }),
          resource: 'api://contoso-app',
        },
      });
      expect(res.status).toBe(200);
      expect((await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token: res.body.token })).status).toBe(
        401,
      );
    });

    it('an app-only token on /me: 400; an admin without methods rights on users/{id}: 403; with them: 200', async () => {
      const appOnly = await svc.token({ permissions: ['UserAuthenticationMethod.ReadWrite.All'] });
      expectRefused(
        await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token: appOnly }),
        400,
        'BadRequest',
        /delegated/,
      );
      expect(
        (await svc.call('GET', `/v1.0/users/${DemoTenant.alice.id}/authentication/fido2Methods`, { token: appOnly }))
          .status,
      ).toBe(200);

      const policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
      const path = `/v1.0/users/${DemoTenant.alice.id}/authentication/fido2Methods`;
      expectRefused(
        await svc.call('GET', path, { token: policyAdmin }),
        403,
        'Authorization_RequestDenied',
        /read users' authentication methods/,
      );
      expectRefused(
        await svc.call('DELETE', `${path}/${aliceCredential}`, { token: policyAdmin }),
        403,
        'Authorization_RequestDenied',
        /change users' authentication methods/,
      );
      expect(await stored(aliceCredential)).toBeTruthy();
      const methodsAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
      expect((await svc.call('GET', path, { token: methodsAdmin })).status).toBe(200);
    });
  });
});
