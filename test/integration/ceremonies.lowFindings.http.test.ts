/**
 * Issue 8 §5, the ceremony findings, each played over HTTP: a re-spelt challenge used twice,
 * account answers before the signature, replays of a refused sign-in, registration by a disabled
 * account, a token for any audience, one key for sign-in and admin tokens, dev tokens that never expire.
 */
import { JoseTokenSigner } from '../../shared/adapters/tokens/joseTokenSigner';
import { loadOrCreateSigningKey } from '../../shared/adapters/keys/localKeys';
import { LOCAL_DEV_ISSUER } from '../../shared/services/devTokenService';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import {
  authenticationOptions,
  expectRefused,
  POLICY_V1,
  register,
  registrationOptions,
  setPolicy,
  StoreProbe,
  YUBIKEY_5,
} from '../support/ceremonies';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import type { TestJson } from '../support/testJson';

const SIGN_IN = '/webauthn/authentication/verify';
const GLOBAL_ADMIN_WID = '62e90394-69f5-4237-9190-012177145e10';
const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Another spelling of the same challenge bytes: the last character's unused low bits changed. */
function respell(challenge: string): string {
  const bytes = Buffer.from(challenge, 'base64url');
  const last = BASE64URL_ALPHABET.indexOf(challenge[challenge.length - 1]);
  for (let bits = 1; bits < 16; bits++) {
    const candidate = challenge.slice(0, -1) + BASE64URL_ALPHABET[last ^ bits];
    if (candidate !== challenge && Buffer.from(candidate, 'base64url').equals(bytes)) return candidate;
  }
  throw new Error(`no other spelling of a ${bytes.length}-byte challenge`);
}

describe('ceremony low findings (issue 8 §5) over HTTP', () => {
  let svc: TestService;
  let probe: StoreProbe;
  let policyAdmin: string;
  let userAdmin: string;
  let authAdmin: string;
  const aliceKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  const bobKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  let alice: string;

  beforeAll(async () => {
    svc = await startTestService({ ALLOWED_AUDIENCES: 'api://contoso-app' });
    probe = new StoreProbe(svc.dataDir);
    policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    userAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    authAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
    alice = await svc.token({ upn: DemoTenant.alice.userPrincipalName });
    await setPolicy(svc, policyAdmin);
    expect((await register(svc, alice, aliceKey)).res.status).toBe(201);
    expect((await register(svc, await svc.token({ upn: DemoTenant.bob.userPrincipalName }), bobKey)).res.status).toBe(
      201,
    );
  });
  afterAll(async () => {
    probe.close();
    await svc.close();
  });

  const verify = (credential: unknown, resource?: string) =>
    svc.call('POST', SIGN_IN, { body: resource === undefined ? { credential } : { credential, resource } });
  const setEnabled = async (upn: string, accountEnabled: boolean) => {
    const res = await svc.call('PATCH', `/v1.0/users/${upn}`, { token: userAdmin, body: { accountEnabled } });
    expect(res.status).toBe(204);
  };
  /** An assertion whose signature does not verify. */
  const forged = async (key: SoftAuthenticator, options: TestJson, credentialId?: string) => {
    const assertion = await key.getAssertion(options, { origin: FRONTEND_ORIGIN, credentialId });
    const signature = Buffer.from(assertion.response.signature, 'base64url');
    signature[signature.length - 1] ^= 0x01;
    return { ...assertion, response: { ...assertion.response, signature: signature.toString('base64url') } };
  };

  it('attack: a challenge re-spelt in base64url (same bytes, new clientDataJSON) does not sign in twice', async () => {
    const options = (await authenticationOptions(svc, DemoTenant.alice.userPrincipalName)).body;
    expect((await verify(await aliceKey.getAssertion(options, { origin: FRONTEND_ORIGIN }))).status).toBe(200);
    const again = await aliceKey.getAssertion(options, {
      origin: FRONTEND_ORIGIN,
      clientData: { challenge: respell(options.challenge) },
    });
    const res = await verify(again);
    expectRefused(res, 401, 'challengeAlreadyUsed', /already used/);
    expect(res.body.token).toBeUndefined();
  });

  it('attack: probing accounts with a forged assertion (another user, a disabled user) gets the same answer as any bad signature', async () => {
    const bobCredential = bobKey.credentials[0].id;
    // The baseline: a bad signature in bob's own usernameless ceremony.
    const baseline = await verify(await forged(bobKey, (await authenticationOptions(svc)).body, bobCredential));
    expect(baseline.status).toBe(401);
    // Bob's passkey in a ceremony started for alice, then for bob while he is disabled.
    const anotherUser = await verify(
      await forged(bobKey, (await authenticationOptions(svc, DemoTenant.alice.userPrincipalName)).body, bobCredential),
    );
    await setEnabled(DemoTenant.bob.userPrincipalName, false);
    try {
      const disabled = await verify(
        await forged(bobKey, (await authenticationOptions(svc, DemoTenant.bob.userPrincipalName)).body, bobCredential),
      );
      for (const res of [anotherUser, disabled]) {
        expect({ status: res.status, error: res.body.error?.code, message: res.body.error?.message }).toEqual({
          status: 401,
          error: 'fido2SignInFailed',
          message: baseline.body.error.message,
        });
      }
      // With a valid signature the specific answers stay.
      const valid = await bobKey.getAssertion(
        (await authenticationOptions(svc, DemoTenant.bob.userPrincipalName)).body,
        { origin: FRONTEND_ORIGIN },
      );
      expectRefused(await verify(valid), 403, 'userAccountDisabled', /disabled/);
    } finally {
      await setEnabled(DemoTenant.bob.userPrincipalName, true);
    }
    const another = await bobKey.getAssertion(
      (await authenticationOptions(svc, DemoTenant.alice.userPrincipalName)).body,
      { origin: FRONTEND_ORIGIN, credentialId: bobCredential },
    );
    expectRefused(
      await verify(another),
      401,
      'fido2SignInFailed',
      /does not belong to the user the sign-in was started for/,
    );
  });

  it('attack: five replays of one sign-in refused by policy add one record, not five', async () => {
    await setPolicy(svc, policyAdmin, {
      keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [YUBIKEY_5] },
    });
    try {
      const audits = probe.auditCount();
      const assertion = await aliceKey.getAssertion(
        (await authenticationOptions(svc, DemoTenant.alice.userPrincipalName)).body,
        { origin: FRONTEND_ORIGIN },
      );
      expectRefused(await verify(assertion), 403, 'fido2KeyRestrictionViolation', /./);
      for (let replay = 0; replay < 4; replay++)
        expectRefused(await verify(assertion), 401, 'challengeAlreadyUsed', /already used/);
      expect(probe.auditCount()).toBe(audits + 1);
    } finally {
      await setPolicy(svc, policyAdmin);
    }
  });

  it('attack: a disabled account registers no passkey, self-service or provisioned by an administrator', async () => {
    const carolKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
    const pending = (await registrationOptions(svc, alice)).body;
    const pendingCredential = await carolKey.createCredential(pending, { origin: FRONTEND_ORIGIN });
    const provisioning = await svc.call(
      'GET',
      `/v1.0/users/${DemoTenant.alice.id}/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=5)`,
      { token: authAdmin },
    );
    expect(provisioning.status).toBe(200);
    const provisioned = await carolKey.createCredential(provisioning.body.publicKey, { origin: FRONTEND_ORIGIN });
    const before = probe.ceremonyState();
    await setEnabled(DemoTenant.alice.userPrincipalName, false);
    try {
      expectRefused(await registrationOptions(svc, alice), 403, 'userAccountDisabled', /cannot register/);
      expectRefused(
        await svc.call('POST', '/webauthn/registration/verify', {
          token: alice,
          body: { credential: pendingCredential },
        }),
        403,
        'userAccountDisabled',
        /cannot register/,
      );
      expectRefused(
        await svc.call('GET', `/v1.0/users/${DemoTenant.alice.id}/authentication/fido2Methods/creationOptions`, {
          token: authAdmin,
        }),
        403,
        'userAccountDisabled',
        /cannot register/,
      );
      const posted = await svc.call('POST', `/v1.0/users/${DemoTenant.alice.id}/authentication/fido2Methods`, {
        token: authAdmin,
        body: { displayName: 'Key', publicKeyCredential: provisioned },
      });
      expectRefused(posted, 403, 'userAccountDisabled', /cannot register/);
      expect(probe.ceremonyState()).toEqual(before);
    } finally {
      await setEnabled(DemoTenant.alice.userPrincipalName, true);
    }
  });

  it('attack: a sign-in asking for a token for any audience: 400 and nothing used up; allowed audiences sign in', async () => {
    const options = (await authenticationOptions(svc, DemoTenant.alice.userPrincipalName)).body;
    const assertion = await aliceKey.getAssertion(options, { origin: FRONTEND_ORIGIN });
    const before = probe.ceremonyState();
    for (const resource of ['api://evil', 'https://graph.microsoft.com', '']) {
      const res = await verify(assertion, resource);
      expectRefused(res, 400, resource === '' ? 'BadRequest' : 'invalidResource', /./);
      expect(res.body.token).toBeUndefined();
    }
    expect(probe.ceremonyState()).toEqual(before);
    const audienceOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()).aud;
    const ok = await verify(assertion, 'api://contoso-app');
    expect(ok.status).toBe(200);
    expect(audienceOf(ok.body.token)).toBe('api://contoso-app');
    for (const resource of [svc.app.config.apiAudience, svc.app.config.issuer]) {
      const res = await verify(
        await aliceKey.getAssertion((await authenticationOptions(svc, DemoTenant.alice.userPrincipalName)).body, {
          origin: FRONTEND_ORIGIN,
        }),
        resource,
      );
      expect(res.status).toBe(200);
      expect(audienceOf(res.body.token)).toBe(resource);
    }
  });

  describe('sign-in tokens and dev admin tokens are signed by different keys', () => {
    const adminClaims = {
      oid: DemoTenant.admin.id,
      upn: 'admin@contoso.com',
      idtyp: 'user',
      wids: [GLOBAL_ADMIN_WID],
      scp: 'user_impersonation',
    };
    const sign = (signer: JoseTokenSigner) =>
      signer.sign(adminClaims, {
        lifetimeSeconds: 300,
        audience: svc.app.config.apiAudience,
        subject: DemoTenant.admin.id,
      });

    it("attack: an administrator's passkey sign-in token used on an admin route: 401; on /me it works", async () => {
      const adminKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
      expect((await register(svc, await svc.token({ upn: 'admin@contoso.com' }), adminKey)).res.status).toBe(201);
      const signedIn = await verify(
        await adminKey.getAssertion((await authenticationOptions(svc, 'admin@contoso.com')).body, {
          origin: FRONTEND_ORIGIN,
        }),
      );
      expect(signedIn.status).toBe(200);
      expectRefused(
        await svc.call('GET', POLICY_V1, { token: signedIn.body.token }),
        401,
        'InvalidAuthenticationToken',
        /./,
      );
      expect(
        (await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token: signedIn.body.token })).status,
      ).toBe(200);
    });

    it('attack: admin claims signed with the sign-in key (as a sign-in token or as a dev token): 401 on admin routes', async () => {
      const signInKey = await loadOrCreateSigningKey(svc.dataDir, undefined, 'signIn');
      for (const issuer of [svc.app.config.issuer, LOCAL_DEV_ISSUER]) {
        expectRefused(
          await svc.call('GET', POLICY_V1, { token: await sign(new JoseTokenSigner(issuer, signInKey)) }),
          401,
          'InvalidAuthenticationToken',
          /./,
        );
      }
      expect(
        (await svc.call('GET', POLICY_V1, { token: await sign(svc.app.tokens.devSigner as JoseTokenSigner) })).status,
      ).toBe(200);
    });

    it('attack: a token signed with the dev key posing as a sign-in token: refused on /me, and the dev key is not in the published JWKS', async () => {
      const devKey = await loadOrCreateSigningKey(svc.dataDir, undefined, 'devAdmin');
      const posing = await new JoseTokenSigner(svc.app.config.issuer, devKey).sign(
        { oid: DemoTenant.alice.id, upn: DemoTenant.alice.userPrincipalName, idtyp: 'user', amr: ['fido'] },
        { lifetimeSeconds: 300, audience: svc.app.config.apiAudience, subject: DemoTenant.alice.id },
      );
      expectRefused(
        await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token: posing }),
        401,
        'InvalidAuthenticationToken',
        /./,
      );
      const jwks = (await svc.call('GET', '/.well-known/jwks.json')).body as { keys: Array<{ kid: string }> };
      expect(jwks.keys.map((k) => k.kid)).not.toContain(devKey.kid);
      expect(jwks.keys.map((k) => k.kid)).toContain(
        (await loadOrCreateSigningKey(svc.dataDir, undefined, 'signIn')).kid,
      );
      // Dev user tokens keep working on /me, as before.
      expect((await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token: alice })).status).toBe(200);
    });
  });

  it('attack: a dev token that lives longer than a day is refused', async () => {
    await expect(
      svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin], expiresInSeconds: 24 * 3600 + 1 }),
    ).rejects.toMatchObject({ code: 'invalidTokenLifetime' });
    await expect(
      svc.token({ permissions: ['Policy.Read.All'], expiresInSeconds: 10 * 365 * 24 * 3600 }),
    ).rejects.toMatchObject({ code: 'invalidTokenLifetime' });
    const day = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin], expiresInSeconds: 24 * 3600 });
    const { exp, iat } = JSON.parse(Buffer.from(day.split('.')[1], 'base64url').toString());
    expect(exp - iat).toBe(24 * 3600);
  });
});
