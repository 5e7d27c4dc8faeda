import { request as httpsRequest } from 'node:https';
import { AuthenticationHandler, Client, Context, Middleware, PageIterator } from '@microsoft/microsoft-graph-client';
import { Roles, startTestService, TestService } from '../support/localService';
import { startTlsProxy, TlsProxy } from '../support/tlsProxy';

/**
 * The Graph SDK's last middleware, sending over TLS that trusts only the test proxy's certificate
 * (instead of switching certificate checks off process-wide with NODE_TLS_REJECT_UNAUTHORIZED).
 */
class PinnedTlsTransport implements Middleware {
  constructor(private readonly ca: string) {}
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === 'string' ? context.request : context.request.url;
    const headers = Object.fromEntries(
      new Headers(context.options?.headers as ConstructorParameters<typeof Headers>[0]).entries(),
    );
    const body = context.options?.body as string | undefined;
    context.response = await new Promise<Response>((resolve, reject) => {
      const req = httpsRequest(url, { method: context.options?.method ?? 'GET', headers, ca: this.ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const responseHeaders = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') responseHeaders.set(k, v);
          const status = res.statusCode ?? 502;
          resolve(new Response(status === 204 ? null : Buffer.concat(chunks), { status, headers: responseHeaders }));
        });
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

function graphClient(proxy: TlsProxy, token: string): Client {
  const auth = new AuthenticationHandler({ getAccessToken: async () => token });
  auth.setNext(new PinnedTlsTransport(proxy.cert));
  return Client.initWithMiddleware({
    middleware: auth,
    baseUrl: proxy.url,
    defaultVersion: 'v1.0',
    customHosts: new Set(['localhost']),
  });
}

interface User {
  id: string;
  userPrincipalName: string;
}

/** Every user the SDK's PageIterator reaches from `/users?$top=2`. */
async function pageThroughUsers(client: Client): Promise<{ users: string[]; firstNextLink?: string }> {
  const first = await client.api('/users').top(2).get();
  const users: string[] = [];
  const iterator = new PageIterator(client, first, (user: User) => {
    users.push(user.userPrincipalName);
    return true;
  });
  await iterator.iterate();
  return { users, firstNextLink: first['@odata.nextLink'] };
}

describe('behind a TLS reverse proxy: Microsoft Graph SDK paging', () => {
  const services: TestService[] = [];
  const proxies: TlsProxy[] = [];
  afterAll(async () => {
    for (const p of proxies) await p.close();
    for (const s of services) await s.close();
  });

  async function behindProxy(
    settings: Record<string, string>,
  ): Promise<{ svc: TestService; proxy: TlsProxy; token: string; allUsers: string[] }> {
    const svc = await startTestService(settings);
    services.push(svc);
    const proxy = await startTlsProxy(svc.host.port);
    proxies.push(proxy);
    const token = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    for (const name of ['dana', 'eve', 'frank']) {
      expect(
        (
          await svc.call('POST', '/v1.0/users', {
            token,
            body: { userPrincipalName: `${name}@contoso.com`, displayName: name },
          })
        ).status,
      ).toBe(201);
    }
    const all = await svc.call('GET', '/v1.0/users?$top=100', { token });
    return { svc, proxy, token, allUsers: (all.body.value as User[]).map((u) => u.userPrincipalName) };
  }

  it('without TRUST_PROXY the links come back http:// on the upstream address and the SDK cannot page (the finding)', async () => {
    const { proxy, token, allUsers } = await behindProxy({});
    expect(allUsers.length).toBeGreaterThanOrEqual(7);
    const client = graphClient(proxy, token);
    const first = await client.api('/users').top(2).get();
    expect(first['@odata.nextLink']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\.0\/users\?/);
    const iterator = new PageIterator(client, first, () => true);
    await expect(iterator.iterate()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('with TRUST_PROXY=true every nextLink is the public https URL and PageIterator gets every user', async () => {
    const { proxy, token, allUsers } = await behindProxy({ TRUST_PROXY: 'true' });
    const client = graphClient(proxy, token);
    const { users, firstNextLink } = await pageThroughUsers(client);
    expect(firstNextLink?.startsWith(`${proxy.url}/v1.0/users?`)).toBe(true);
    expect(users.sort()).toEqual([...allUsers].sort());

    // The other links written from the request follow the public origin too.
    const discovery = await client.api(`${proxy.url}/.well-known/openid-configuration`).get();
    expect(discovery.jwks_uri).toBe(`${proxy.url}/.well-known/jwks.json`);
    const created = await client.api('/users').post({ userPrincipalName: 'grace@contoso.com', displayName: 'Grace' });
    expect(created['@odata.context']).toBe(`${proxy.url}/v1.0/$metadata#users/$entity`);
    const job = await client.api(`${proxy.url}/provisioning/jobs`).post({ users: ['alice@contoso.com'] });
    expect(job).toMatchObject({
      statusQueryGetUri: `${proxy.url}/provisioning/jobs/${job.id}`,
      nextPostUri: `${proxy.url}/provisioning/jobs/${job.id}/next`,
    });
    expect((await client.api(job.statusQueryGetUri).get()).id).toBe(job.id);
  });

  it('attack: without TRUST_PROXY a client-sent X-Forwarded-Host/Proto cannot redirect the links we write', async () => {
    const svc = services[0];
    const token = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    const res = await svc.call('GET', '/v1.0/users?$top=1', {
      token,
      headers: { 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' },
    });
    expect(res.body['@odata.nextLink']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    expect(res.body['@odata.context']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    const discovery = await svc.call('GET', '/.well-known/openid-configuration', {
      headers: { 'X-Forwarded-Host': 'evil.example' },
    });
    expect(discovery.body.jwks_uri).not.toContain('evil.example');
  });
});
