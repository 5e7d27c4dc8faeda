import { request } from 'node:http';
import { startTestService, TestService } from '../support/localService';

type Answer = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** One request with exactly these headers (fetch would not let a test set Host). */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ADMIN_ASK = JSON.stringify({ userPrincipalName: 'admin@contoso.com', role: 'Global Administrator' });

describe('admin console under /admin/ and its local sign-in route', () => {
  let svc: TestService;
  let port: number;
  let own: Record<string, string>;
  beforeAll(async () => {
    svc = await startTestService();
    port = svc.host.port;
    own = {
      Host: `localhost:${port}`,
      Origin: `http://localhost:${port}`,
      'Sec-Fetch-Site': 'same-origin',
      'Content-Type': 'application/json',
    };
  });
  afterAll(() => svc.close());

  it('serves the console with the strict CSP, its modules as JavaScript, and redirects /admin', async () => {
    const redirect = await raw(port, 'GET', '/admin');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/admin/');
    const page = await raw(port, 'GET', '/admin/');
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("connect-src 'self'");
    expect(page.body).toContain('Passkey (FIDO2) settings');
    expect(page.body).not.toMatch(/<script>|style=|<style|on(click|load)=/);
    for (const file of ['app.js', 'api.js', 'lightUp.js']) {
      const module = await raw(port, 'GET', `/admin/${file}`);
      expect([module.status, module.headers['content-type']]).toEqual([200, 'text/javascript; charset=utf-8']);
    }
  });

  it('mints a dev token for the chosen role for the console page on this machine; the token works', async () => {
    const answer = await raw(port, 'POST', '/local/dev-token', own, ADMIN_ASK);
    expect(answer.status).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    const { token, expiresIn } = JSON.parse(answer.body) as { token: string; expiresIn: number };
    expect(expiresIn).toBe(3600);
    const policy = await svc.call(
      'GET',
      '/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2',
      {
        token,
      },
    );
    expect(policy.status).toBe(200);
  });

  it.each([
    ['another site’s page (Origin)', { Origin: 'https://evil.example' }],
    ['no Origin (not the console page)', { Origin: '' }],
    ['a DNS-rebinding name for 127.0.0.1 (Host)', { Host: `evil.example:0`, Origin: 'http://evil.example:0' }],
    ['a cross-site fetch (Sec-Fetch-Site)', { 'Sec-Fetch-Site': 'cross-site' }],
    ['a proxied request (X-Forwarded-For)', { 'X-Forwarded-For': '203.0.113.9' }],
  ])('attack: refuses %s with 403 localClientsOnly and mints nothing', async (_what, changed) => {
    const headers: Record<string, string> = { ...own, ...changed };
    for (const [name, value] of Object.entries(headers)) if (value === '') delete headers[name];
    const answer = await raw(port, 'POST', '/local/dev-token', headers, ADMIN_ASK);
    expect(answer.status).toBe(403);
    const body = JSON.parse(answer.body) as { error: { code: string; message: string }; token?: string };
    expect(body.error.code).toBe('localClientsOnly');
    expect(answer.body).not.toContain('eyJ');
  });

  it('answers only POST, with a JSON body naming a known role', async () => {
    expect((await raw(port, 'GET', '/local/dev-token', own)).status).toBe(405);
    const unknownRole = await raw(
      port,
      'POST',
      '/local/dev-token',
      own,
      JSON.stringify({ userPrincipalName: 'a@b.c', role: 'Root' }),
    );
    expect(unknownRole.status).toBe(400);
    expect(JSON.parse(unknownRole.body).error.message).toContain('Authentication Policy Administrator');
    const unknownUser = await raw(
      port,
      'POST',
      '/local/dev-token',
      own,
      JSON.stringify({ userPrincipalName: 'nobody@contoso.com', role: 'Global Reader' }),
    );
    expect(unknownUser.status).toBe(404);
  });
});

describe('the dev-token route where dev tokens are not accepted', () => {
  it.each([
    ['an Entra tenant is configured', { ENTRA_TENANT_ID: '11111111-1111-4111-8111-111111111111' }, 404],
    ['the host is behind a reverse proxy (TRUST_PROXY)', { TRUST_PROXY: 'true' }, 403],
  ])('attack: does not mint when %s', async (_what, settings, status) => {
    const svc = await startTestService(settings);
    try {
      const port = svc.host.port;
      const answer = await raw(
        port,
        'POST',
        '/local/dev-token',
        { Host: `localhost:${port}`, Origin: `http://localhost:${port}`, 'Content-Type': 'application/json' },
        ADMIN_ASK,
      );
      expect(answer.status).toBe(status);
      expect(answer.body).not.toContain('eyJ');
    } finally {
      await svc.close();
    }
  });
});
