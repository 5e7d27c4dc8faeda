import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { DirectoryRoles } from '../../shared/domain/auth/roles';
import { Roles, startTestService, TestService } from '../support/localService';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://passkey-service-prod';
const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const POLICY = '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2';

/** Entra-validation over a JWKS served on loopback, the way the tenant's discovery keys are served. */
describe('Entra access tokens (offline, local JWKS)', () => {
  let jwksServer: Server;
  let svc: TestService;
  let sign: (
    claims: Record<string, unknown>,
    opts?: { issuer?: string; audience?: string; expiresIn?: string },
  ) => Promise<string>;
  let foreignSign: typeof sign;

  beforeAll(async () => {
    const tenantKey = await generateKeyPair('RS256', { extractable: true });
    const otherKey = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(tenantKey.publicKey)), kid: 'tenant-key-1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((r) => jwksServer.listen(0, '127.0.0.1', r));
    const jwksUri = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/discovery/v2.0/keys`;
    const makeSigner =
      (key: import('jose').KeyLike, kid: string) =>
      async (claims: Record<string, unknown>, opts: { issuer?: string; audience?: string; expiresIn?: string } = {}) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid })
          .setIssuer(opts.issuer ?? ISSUER)
          .setAudience(opts.audience ?? AUDIENCE)
          .setIssuedAt()
          .setExpirationTime(opts.expiresIn ?? '1h')
          .sign(key);
    sign = makeSigner(tenantKey.privateKey, 'tenant-key-1');
    foreignSign = makeSigner(otherKey.privateKey, 'tenant-key-1');
    svc = await startTestService({ ENTRA_TENANT_ID: TENANT, ENTRA_AUDIENCE: AUDIENCE, ENTRA_JWKS_URI: jwksUri });
  });
  afterAll(async () => {
    await svc.close();
    await new Promise((r) => jwksServer.close(r));
  });

  it('accepts a tenant token with the right role, refuses one without', async () => {
    const admin = await sign({
      oid: '11111111-1111-4111-8111-111111111111',
      preferred_username: 'admin@contoso.com',
      wids: [DirectoryRoles['Authentication Policy Administrator']],
      scp: 'Policy.ReadWrite.AuthenticationMethod',
    });
    expect((await svc.call('GET', POLICY, { token: admin })).status).toBe(200);
    const user = await sign({
      oid: '22222222-2222-4222-8222-222222222222',
      preferred_username: 'user@contoso.com',
      scp: 'User.Read',
    });
    expect((await svc.call('GET', POLICY, { token: user })).status).toBe(403);
  });

  it('attack: a delegated tenant token with the Graph scope but no directory role is refused (403); the same scope with the role is accepted', async () => {
    const claims = {
      oid: '33333333-3333-4333-8333-333333333333',
      preferred_username: 'user@contoso.com',
      scp: 'Policy.ReadWrite.AuthenticationMethod Policy.Read.All',
    };
    const scopeOnly = await svc.call('GET', POLICY, { token: await sign(claims) });
    expect(scopeOnly.status).toBe(403);
    expect(scopeOnly.body.error.code).toBe('Authorization_RequestDenied');
    expect(
      (await svc.call('GET', POLICY, { token: await sign({ ...claims, wids: [DirectoryRoles['Global Reader']] }) }))
        .status,
    ).toBe(200);
    // A user token's `roles` are app roles of this API, not Graph application permissions.
    expect(
      (
        await svc.call('GET', POLICY, {
          token: await sign({ ...claims, scp: 'User.Read', roles: ['Policy.Read.All'] }),
        })
      ).status,
    ).toBe(403);
  });

  it('accepts an app-only tenant token by its application permission', async () => {
    const app = await sign({
      oid: 'app-object-id',
      sub: 'app-object-id',
      azp: 'app-id',
      idtyp: 'app',
      roles: ['Policy.Read.All'],
    });
    expect((await svc.call('GET', POLICY, { token: app })).status).toBe(200);
  });

  it('attack: a tenant-signed token with roles but neither oid nor sub is no app-only token (401)', async () => {
    const res = await svc.call('GET', POLICY, { token: await sign({ azp: 'app-id', roles: ['Policy.Read.All'] }) });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('InvalidAuthenticationToken');
  });

  it('refuses a wrong audience, a wrong issuer, a foreign signature and an expired token', async () => {
    const claims = { oid: '11111111-1111-4111-8111-111111111111', wids: [DirectoryRoles['Global Administrator']] };
    for (const token of [
      await sign(claims, { audience: 'api://other' }),
      await sign(claims, { issuer: 'https://login.microsoftonline.com/other-tenant/v2.0' }),
      await foreignSign(claims),
      await sign(claims, { expiresIn: '-5m' }),
    ]) {
      const res = await svc.call('GET', POLICY, { token });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('InvalidAuthenticationToken');
    }
  });

  it('no longer accepts local dev tokens once Entra is configured (ALLOW_LOCAL_TOKENS defaults to false)', async () => {
    const dev = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    expect((await svc.call('GET', POLICY, { token: dev })).status).toBe(401);
  });
});
