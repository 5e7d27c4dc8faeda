/**
 * Related origins (issue 12 §5): RELATED_ORIGINS is served at /.well-known/webauthn, and a
 * ceremony run on a listed origin is accepted for this RP ID; any other origin is still refused.
 */
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { register, setPolicy, signIn, YUBIKEY_5 } from '../support/ceremonies';
import { Roles, startTestService, TestService } from '../support/localService';

const RELATED = 'https://login.fabrikam.example';
const ALICE = DemoTenant.alice.userPrincipalName;

describe('related origins', () => {
  let svc: TestService;
  let alice: string;
  const key = new SoftAuthenticator({ aaguid: YUBIKEY_5 });

  beforeAll(async () => {
    svc = await startTestService({ RELATED_ORIGINS: `${RELATED}, http://localhost:3000` });
    alice = await svc.token({ upn: ALICE });
    await setPolicy(svc, await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] }));
  });
  afterAll(() => svc.close());

  it('serves RELATED_ORIGINS at /.well-known/webauthn', async () => {
    const res = await svc.call('GET', '/.well-known/webauthn');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body).toEqual({ origins: [RELATED, 'http://localhost:3000'] });
  });

  it('accepts a registration and a sign-in run on a related origin', async () => {
    const { res } = await register(svc, alice, key, { origin: RELATED });
    expect(res.status).toBe(201);
    const signedIn = await signIn(svc, key, ALICE, { origin: RELATED });
    expect(signedIn.status).toBe(200);
  });

  it('lets a page on a related origin call the ceremony routes (CORS), and no other origin', async () => {
    const preflight = (origin: string) =>
      fetch(`http://127.0.0.1:${svc.host.port}/webauthn/authentication/options`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'content-type',
        },
      });
    expect((await preflight(RELATED)).headers.get('access-control-allow-origin')).toBe(RELATED);
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it.each([
    'https://evil.example',
    `${RELATED}.evil.example`,
    'https://fabrikam.example',
    'http://login.fabrikam.example',
  ])('attack: refuses a sign-in from an origin that is not listed (%s)', async (origin) => {
    const res = await signIn(svc, key, ALICE, { origin });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('fido2SignInFailed');
  });

  it('attack: refuses a registration from an origin that is not listed', async () => {
    const { res } = await register(svc, alice, new SoftAuthenticator({ aaguid: YUBIKEY_5 }), {
      origin: 'https://evil.example',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalidWebAuthnResponse');
  });

  it('serves an empty list when RELATED_ORIGINS is not set', async () => {
    const plain = await startTestService();
    try {
      expect((await plain.call('GET', '/.well-known/webauthn')).body).toEqual({ origins: [] });
    } finally {
      await plain.close();
    }
  });
});
