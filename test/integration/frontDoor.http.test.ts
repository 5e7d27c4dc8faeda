/** The front door (issue 12 §3): `GET /` answers a landing page whose every link works. */
import { startTestService, TestService } from '../support/localService';

describe('front door at /', () => {
  let svc: TestService;
  let base: string;
  beforeAll(async () => {
    svc = await startTestService();
    base = `http://127.0.0.1:${svc.host.port}`;
  });
  afterAll(() => svc.close());

  it('serves the landing page with the strict CSP, saying the demo tenant was seeded', async () => {
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('Passkey (FIDO2) service');
    expect(svc.app.demoTenant).toBe('seeded');
    expect(page).toContain('seeded at this start');
  });

  it('links only pages that answer 200', async () => {
    const page = await (await fetch(`${base}/`)).text();
    const links = [...page.matchAll(/href="([^"]+)"/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThanOrEqual(4);
    for (const link of links)
      expect({ link, status: (await fetch(`${base}${link}`)).status }).toEqual({ link, status: 200 });
  });

  it('answers HEAD without a body and refuses other methods on / with a Graph 405', async () => {
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    const post = await fetch(`${base}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await post.json()).toEqual({
      error: expect.objectContaining({ code: 'MethodNotAllowed', message: expect.stringContaining("'POST'") }),
    });
  });

  it('leaves every other path to the API and the static files', async () => {
    expect((await fetch(`${base}/index.html`)).status).toBe(404);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });
});
