import { Clock } from '../../shared/ports/clock.port';
import { Roles, startTestService, TestService } from '../support/localService';
import type { TestJson } from '../support/testJson';

/** A clock the test moves by hand, so Retry-After can be checked without waiting. */
function manualClock(): Clock & { advance(ms: number): void } {
  let now = Date.now();
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

const OPTIONS = '/webauthn/authentication/options';

async function post(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; retryAfter: string | null; body: TestJson }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ userPrincipalName: 'alice@contoso.com' }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
}

describe('RATE_LIMIT_PER_MINUTE on the unauthenticated ceremony routes', () => {
  const services: TestService[] = [];
  afterAll(async () => {
    for (const s of services) await s.close();
  });

  it('attack: a sign-in flood from one address gets 429 with Retry-After; another address and admin routes are unaffected', async () => {
    const clock = manualClock();
    const svc = await startTestService({ RATE_LIMIT_PER_MINUTE: '3' }, { clock });
    services.push(svc);
    const v4 = `http://127.0.0.1:${svc.host.port}`;
    for (let i = 0; i < 3; i++) expect((await post(`${v4}${OPTIONS}`)).status).toBe(200);
    const refused = await post(`${v4}${OPTIONS}`);
    expect(refused.status).toBe(429);
    expect(refused.retryAfter).toBe('20');
    expect(refused.body.error).toMatchObject({
      code: 'TooManyRequests',
      message: expect.stringContaining('3 per minute'),
    });
    // verify shares the bucket: a sign-in is options + verify from the same client.
    const verify = await fetch(`${v4}/webauthn/authentication/verify`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(verify.status).toBe(429);

    // Another client address (::1 is not 127.0.0.1) has its own bucket.
    if (svc.host.addresses.some((a) => a.address === '::1'))
      expect((await post(`http://[::1]:${svc.host.port}${OPTIONS}`)).status).toBe(200);
    // Admin routes are not limited.
    const token = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
    for (let i = 0; i < 5; i++) expect((await svc.call('GET', '/v1.0/users?$top=1', { token })).status).toBe(200);

    // After Retry-After, one more request passes.
    clock.advance(20_000);
    expect((await post(`${v4}${OPTIONS}`)).status).toBe(200);
    expect((await post(`${v4}${OPTIONS}`)).status).toBe(429);
  });

  it('attack: without TRUST_PROXY a client rotating X-Forwarded-For stays limited', async () => {
    const svc = await startTestService({ RATE_LIMIT_PER_MINUTE: '2' });
    services.push(svc);
    const url = `http://127.0.0.1:${svc.host.port}${OPTIONS}`;
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(url, { 'X-Forwarded-For': `198.51.100.${i}` })).status);
    expect(statuses).toEqual([200, 200, 429, 429]);
  });

  it('behind a trusted proxy the forwarded address is the key, and a forged left entry does not escape', async () => {
    const svc = await startTestService({ RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'true' });
    services.push(svc);
    const url = `http://127.0.0.1:${svc.host.port}${OPTIONS}`;
    const statuses: number[] = [];
    // The proxy appends the real client (203.0.113.7) after whatever the client sent.
    for (let i = 0; i < 3; i++)
      statuses.push((await post(url, { 'X-Forwarded-For': `10.9.9.${i}, 203.0.113.7` })).status);
    expect(statuses).toEqual([200, 200, 429]);
    expect((await post(url, { 'X-Forwarded-For': '203.0.113.8' })).status).toBe(200);
  });

  it('is off by default (0)', async () => {
    const svc = await startTestService();
    services.push(svc);
    const url = `http://127.0.0.1:${svc.host.port}${OPTIONS}`;
    for (let i = 0; i < 20; i++) expect((await post(url)).status).toBe(200);
  });
});
