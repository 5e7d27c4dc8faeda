/**
 * Errors that leave a new user guessing (issue 12 §4): each refusal keeps its Graph status and code
 * but says what is wrong — the bare JWT without 'Bearer', an expired token and when, a token signed
 * by another instance's key, and for a 403 the roles and permissions the route allows.
 */
import { Roles, startTestService, TestService } from '../support/localService';

const POLICY = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';

describe('authentication and authorisation errors say what is wrong', () => {
  let svc: TestService;
  let other: TestService;

  beforeAll(async () => {
    svc = await startTestService();
    // Same issuer and audience, its own data directory: its own signing key.
    other = await startTestService();
  });
  afterAll(async () => {
    await svc.close();
    await other.close();
  });

  const reader = () => svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalReader] });

  it("says the 'Bearer' scheme is missing when the header holds the bare JWT", async () => {
    const res = await svc.call('GET', POLICY, { headers: { Authorization: await reader() } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    expect(res.body.error.message).toMatch(/without the 'Bearer' scheme/);
  });

  it('says an expired token expired, and when', async () => {
    const expired = await svc.app.tokens.devSigner.sign(
      { oid: 'x', sub: 'x', scp: 'user_impersonation', wids: [] },
      { lifetimeSeconds: -600, audience: svc.app.config.apiAudience, subject: 'x' },
    );
    const exp = JSON.parse(Buffer.from(expired.split('.')[1], 'base64url').toString()).exp as number;
    const res = await svc.call('GET', POLICY, { token: expired });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    expect(res.body.error.message).toContain(`expired at ${new Date(exp * 1000).toISOString()}`);
  });

  it("says a token signed by another instance's key is from another instance (attack: a foreign key)", async () => {
    const foreign = await other.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    expect((await other.call('GET', POLICY, { token: foreign })).status).toBe(200);
    const res = await svc.call('GET', POLICY, { token: foreign });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    expect(res.body.error.message).toMatch(/another instance of this service/);
  });

  it('names the roles and permissions a route allows in a 403', async () => {
    const res = await svc.call('PATCH', POLICY, { token: await reader(), body: { state: 'enabled' } });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('Authorization_RequestDenied');
    expect(res.body.error.message).toContain('Policy.ReadWrite.AuthenticationMethod');
    expect(res.body.error.message).toContain('Authentication Policy Administrator');
    expect(res.body.error.message).not.toContain('Global Reader');
  });
});
