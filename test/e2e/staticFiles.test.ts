import { request } from 'node:http';
import { join } from 'node:path';
import { findRepoRoot } from '../../local/staticFiles';
import { startTestService, TestService } from '../support/localService';
import { ROOT } from '../support/processes';

/** One request with the path sent exactly as given (fetch would normalise `..` away). */
function raw(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static files of the demo frontend under /web/', () => {
  let svc: TestService;
  let port: number;
  beforeAll(async () => {
    svc = await startTestService();
    port = svc.host.port;
  });
  afterAll(() => svc.close());

  it('finds the repo root from the compiled (dist/local) and the source (local) location', () => {
    expect(findRepoRoot(join(ROOT, 'dist', 'local'))).toBe(ROOT);
    expect(findRepoRoot(join(ROOT, 'local'))).toBe(ROOT);
  });

  it('redirects /web to /web/ and serves index.html there', async () => {
    const redirect = await raw(port, 'GET', '/web?x=1');
    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/web/?x=1');
    for (const path of ['/web/', '/web/index.html']) {
      const page = await raw(port, 'GET', path);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['content-security-policy']).toContain("script-src 'self'");
      expect(page.body).toContain('Sign in with a passkey');
    }
  });

  it('serves the app, the styles and the @simplewebauthn/browser bundle with their content types', async () => {
    expect((await raw(port, 'GET', '/web/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await raw(port, 'GET', '/web/styles.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    const vendor = await raw(port, 'GET', '/web/vendor/simplewebauthn-browser.js');
    expect(vendor.status).toBe(200);
    expect(vendor.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(vendor.body).toMatch(/^\/\* \[@simplewebauthn\/browser@14\./);
    expect(vendor.body).toContain('SimpleWebAuthnBrowser');
  });

  it('answers HEAD without a body, 304 on a matching ETag, 405 to other methods, 404 to unknown files', async () => {
    const get = await raw(port, 'GET', '/web/app.js');
    const head = await raw(port, 'HEAD', '/web/app.js');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.headers['content-length']).toBe(get.headers['content-length']);
    expect((await raw(port, 'GET', '/web/app.js', { 'If-None-Match': String(get.headers.etag) })).status).toBe(304);
    const post = await raw(port, 'POST', '/web/app.js');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(post.body)).toEqual({ error: expect.objectContaining({ code: 'MethodNotAllowed' }) });
    const missing = await raw(port, 'GET', '/web/nothing-here.js');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: expect.objectContaining({ code: 'NotFound' }) });
    expect((await raw(port, 'GET', '/web/vendor/')).status).toBe(404);
  });

  it.each([
    '/web/../package.json',
    '/web/..%2fpackage.json',
    '/web/..%2Fpackage.json',
    '/web/%2e%2e/package.json',
    '/web/%2e%2e%2fpackage.json',
    '/web/vendor/..%2f..%2fpackage.json',
    '/web/..%5cpackage.json',
    '/web/..\\package.json',
    '/web/%2e%2e%5c..%5cpackage.json',
    '/web/.gitignore',
    '/web/%00index.html',
    '/web/%E0%A4%A',
  ])('never serves anything outside web/: %s', async (path) => {
    const res = await raw(port, 'GET', path);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('"name": "passkey-fido2-service"');
    expect(JSON.parse(res.body)).toEqual({ error: expect.objectContaining({ code: expect.any(String) }) });
  });

  it('leaves other routes (e.g. /webauthn/...) to the API', async () => {
    const res = await svc.call('POST', '/webauthn/authentication/options', { body: {} });
    expect(res.status).toBe(200);
    expect(res.body.challenge).toEqual(expect.any(String));
    expect((await raw(port, 'GET', '/webx')).status).toBe(404);
  });
});
