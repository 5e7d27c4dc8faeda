import { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { buildHttpRegistry, RegisteredHttpFunction } from '../../functions/registry';
import { Roles, startTestService, TestService } from '../support/localService';

/**
 * The HTTP pipeline as Azure runs it: no local host in front, the platform's HttpRequest handed
 * straight to the registered handler. What TRUST_PROXY and RATE_LIMIT_PER_MINUTE do there.
 */
describe('HTTP pipeline on Azure (no local host in front)', () => {
  const services: TestService[] = [];
  afterAll(async () => {
    for (const s of services) await s.close();
  });

  async function azure(
    settings: Record<string, string>,
  ): Promise<{ svc: TestService; fn: (name: string) => RegisteredHttpFunction }> {
    const svc = await startTestService(settings);
    services.push(svc);
    const registry = buildHttpRegistry(async () => svc.app);
    return { svc, fn: (name) => registry.find((r) => r.definition.name === name)! };
  }

  // Our handlers always return an HttpResponseInit (the pipeline builds it).
  const invoke = async (
    fn: RegisteredHttpFunction,
    init: ConstructorParameters<typeof HttpRequest>[0],
  ): Promise<HttpResponseInit> =>
    (await fn.handler(
      new HttpRequest(init),
      new InvocationContext({ functionName: fn.definition.name }),
    )) as HttpResponseInit;

  it.each([
    ['with TRUST_PROXY, nextLink and @odata.context use the front door origin', 'true', 'https://passkeys.contoso.com'],
    [
      'attack: without TRUST_PROXY, a client-sent X-Forwarded-Host does not redirect the links',
      'false',
      'https://func-passkeys.azurewebsites.net',
    ],
  ])('%s', async (_name, trust, origin) => {
    const { svc, fn } = await azure({ TRUST_PROXY: trust });
    const token = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    const response = await invoke(fn('usersList'), {
      method: 'GET',
      url: 'https://func-passkeys.azurewebsites.net/v1.0/users?$top=1',
      headers: {
        authorization: `Bearer ${token}`,
        'x-forwarded-host': 'passkeys.contoso.com',
        'x-forwarded-proto': 'https',
      },
      query: { $top: '1' },
      params: { ver: 'v1.0' },
    });
    const body = response.jsonBody as Record<string, string>;
    expect(response.status).toBe(200);
    expect(body['@odata.nextLink'].startsWith(`${origin}/v1.0/users?`)).toBe(true);
    expect(body['@odata.context']).toBe(`${origin}/v1.0/$metadata#users`);
  });

  it('attack: a sign-in flood is limited by the address the platform appends to X-Forwarded-For (port stripped)', async () => {
    const { fn } = await azure({ RATE_LIMIT_PER_MINUTE: '2' });
    const options = fn('webauthnAuthenticationOptions');
    const from = (xff: string) =>
      invoke(options, {
        method: 'POST',
        url: 'https://func-passkeys.azurewebsites.net/webauthn/authentication/options',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
        body: { string: '{}' },
      }).then((r) => r.status);
    expect([
      await from('203.0.113.5:50001'),
      await from('198.51.100.1, 203.0.113.5:50002'),
      await from('203.0.113.5:50003'),
    ]).toEqual([200, 200, 429]);
    expect(await from('203.0.113.6:50004')).toBe(200);
  });
});
