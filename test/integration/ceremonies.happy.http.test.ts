import { createLocalJWKSet, jwtVerify } from 'jose';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';

const POLICY = '/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';
const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

describe('passkey registration and sign-in over HTTP (happy paths)', () => {
  let svc: TestService;
  let aliceToken: string;
  let methodsAdmin: string;
  const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });

  beforeAll(async () => {
    svc = await startTestService({ ALLOWED_AUDIENCES: 'api://contoso-app' });
    const policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    expect(
      (
        await svc.call('PATCH', POLICY, {
          token: policyAdmin,
          body: { '@odata.type': '#microsoft.graph.fido2AuthenticationMethodConfiguration', state: 'enabled' },
        })
      ).status,
    ).toBe(204);
    aliceToken = await svc.token({ upn: 'alice@contoso.com' });
    methodsAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
  });
  afterAll(() => svc.close());

  let methodId: string;

  it('registers a passkey for alice (self-service) and returns the Graph fido2AuthenticationMethod', async () => {
    const options = await svc.call('POST', '/webauthn/registration/options', { token: aliceToken, body: {} });
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({
      rp: { id: 'localhost', name: 'Contoso' },
      attestation: 'direct',
      authenticatorSelection: { userVerification: 'required' },
    });
    expect(options.body.user.name).toBe('alice@contoso.com');
    expect(options.body.user.id).not.toContain('alice');
    expect(options.body.pubKeyCredParams.map((p: { alg: number }) => p.alg)).toEqual(
      expect.arrayContaining([-7, -8, -257]),
    );
    expect(Buffer.from(options.body.challenge, 'base64url').length).toBeGreaterThanOrEqual(16);

    const credential = await key.createCredential(options.body, { origin: FRONTEND_ORIGIN });
    const res = await svc.call('POST', '/webauthn/registration/verify', {
      token: aliceToken,
      body: { credential, displayName: 'Alice YubiKey' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
      id: credential.id,
      displayName: 'Alice YubiKey',
      aaGuid: YUBIKEY_5,
      attestationLevel: 'notAttested',
      passkeyType: 'deviceBound',
    });
    expect(res.body.model).toContain('YubiKey');
    methodId = res.body.id;

    const again = await svc.call('POST', '/webauthn/registration/options', { token: aliceToken, body: {} });
    expect(again.body.excludeCredentials.map((c: { id: string }) => c.id)).toEqual([methodId]);
  });

  it('signs alice in UPN-first and issues a token that verifies against the JWKS', async () => {
    const options = await svc.call('POST', '/webauthn/authentication/options', {
      body: { userPrincipalName: 'alice@contoso.com' },
    });
    expect(options.status).toBe(200);
    expect(options.body.allowCredentials.map((c: { id: string }) => c.id)).toEqual([methodId]);
    expect(options.body.userVerification).toBe('required');
    const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
    const res = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 3600,
      user: { id: DemoTenant.alice.id, userPrincipalName: 'alice@contoso.com' },
      method: { id: methodId, aaGuid: YUBIKEY_5 },
    });

    const jwks = await svc.call('GET', '/.well-known/jwks.json');
    const discovery = await svc.call('GET', '/.well-known/openid-configuration');
    // The issuer is TOKEN_ISSUER; the key location follows the origin the client used.
    expect(discovery.body.jwks_uri).toBe(`http://127.0.0.1:${svc.host.port}/.well-known/jwks.json`);
    const { payload, protectedHeader } = await jwtVerify(res.body.token, createLocalJWKSet(jwks.body), {
      issuer: discovery.body.issuer,
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      sub: DemoTenant.alice.id,
      oid: DemoTenant.alice.id,
      upn: 'alice@contoso.com',
      amr: ['fido'],
      aaguid: YUBIKEY_5,
    });
    expect(typeof payload.auth_time).toBe('number');
    expect(payload.aud).toBeTruthy();
    expect(payload.exp).toBeGreaterThan(payload.iat!);
  });

  it('signs alice in usernameless (discoverable), and updates sign count and last use', async () => {
    const options = await svc.call('POST', '/webauthn/authentication/options', { body: {} });
    expect(options.body.allowCredentials ?? []).toEqual([]);
    const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
    const res = await svc.call('POST', '/webauthn/authentication/verify', {
      body: { credential: assertion, resource: 'api://contoso-app' },
    });
    expect(res.status).toBe(200);
    expect(res.body.user.userPrincipalName).toBe('alice@contoso.com');
    const payload = JSON.parse(Buffer.from(res.body.token.split('.')[1], 'base64url').toString());
    expect(payload.aud).toBe('api://contoso-app');
    const stored = await svc.app.store.credentials.get(methodId);
    expect(stored!.value.signCount).toBe(2);
    expect(stored!.value.lastUsedDateTime).toBeTruthy();
  });

  it('lists, shows and deletes the passkey as an Authentication Administrator; then it cannot sign in', async () => {
    const list = await svc.call('GET', '/v1.0/users/alice@contoso.com/authentication/fido2Methods', {
      token: methodsAdmin,
    });
    expect(list.status).toBe(200);
    expect(list.body.value.map((m: { id: string }) => m.id)).toEqual([methodId]);
    const mine = await svc.call('GET', '/v1.0/me/authentication/fido2Methods', { token: aliceToken });
    expect(mine.body.value.map((m: { id: string }) => m.id)).toEqual([methodId]);
    const one = await svc.call('GET', `/beta/users/${DemoTenant.alice.id}/authentication/fido2Methods/${methodId}`, {
      token: methodsAdmin,
    });
    expect(one.body).toMatchObject({ id: methodId, aaGuid: YUBIKEY_5 });
    expect(
      (await svc.call('GET', '/v1.0/users/alice@contoso.com/authentication/fido2Methods', { token: aliceToken }))
        .status,
    ).toBe(403);

    const options = await svc.call('POST', '/webauthn/authentication/options', {
      body: { userPrincipalName: 'alice@contoso.com' },
    });
    const assertion = await key.getAssertion(options.body, { origin: FRONTEND_ORIGIN });
    expect(
      (
        await svc.call('DELETE', `/v1.0/users/alice@contoso.com/authentication/fido2Methods/${methodId}`, {
          token: methodsAdmin,
        })
      ).status,
    ).toBe(204);
    expect(
      (
        await svc.call('GET', `/v1.0/users/alice@contoso.com/authentication/fido2Methods/${methodId}`, {
          token: methodsAdmin,
        })
      ).status,
    ).toBe(404);
    const refused = await svc.call('POST', '/webauthn/authentication/verify', { body: { credential: assertion } });
    expect(refused.status).toBe(401);
  });
});
