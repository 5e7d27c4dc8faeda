import { Roles, startTestService, TEST_STORES, TestService, TestStore } from '../support/localService';

const JOBS = '/provisioning/jobs';
const AUDITS = '/v1.0/auditLogs/directoryAudits?$top=200';

describe.each(TEST_STORES)('bulk provisioning job list and idempotency keys over HTTP (%s)', (store: TestStore) => {
  let svc: TestService;
  let authAdmin: string;
  let auditor: string;

  beforeAll(async () => {
    svc = await startTestService({}, undefined, { store });
    authAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
    auditor = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalAdmin] });
  });
  afterAll(() => svc.close());

  const body = (extra: Record<string, unknown> = {}) => ({
    users: ['alice@contoso.com', 'bob@contoso.com'],
    challengeTimeoutInMinutes: 10,
    ...extra,
  });
  const create = (extra: Record<string, unknown> = {}) =>
    svc.call('POST', JOBS, { token: authAdmin, body: body(extra) });
  const createdRecordsOf = async (jobId: string) => {
    const audits = await svc.call('GET', AUDITS, { token: auditor });
    expect(audits.status).toBe(200);
    return audits.body.value.filter(
      (r: { activityDisplayName: string; targetResources: Array<{ id: string }> }) =>
        r.activityDisplayName === 'Provisioning job created' && r.targetResources.some((t) => t.id === jobId),
    );
  };

  it('the same idempotencyKey twice answers 202 with the same job, started and recorded once', async () => {
    const first = await create({ idempotencyKey: 'batch:2026-12-03.1' });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ idempotencyKey: 'batch:2026-12-03.1', requestedBy: null, totalUsers: 2 });
    const again = await create({ idempotencyKey: 'batch:2026-12-03.1' });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('location')).toBe(first.headers.get('location'));
    expect(await createdRecordsOf(first.body.id)).toHaveLength(1);
    const job = await svc.call('GET', `${JOBS}/${first.body.id}`, { token: authAdmin });
    expect(job.body.runtimeStatus).not.toBeNull();
  });

  it('the same key for a different request answers 409 idempotencyKeyReused and creates nothing', async () => {
    const first = await create({ idempotencyKey: 'reuse-1' });
    expect(first.status).toBe(202);
    const before = await svc.call('GET', `${JOBS}?$top=1000`, { token: authAdmin });
    const other = await create({ idempotencyKey: 'reuse-1', users: ['alice@contoso.com'] });
    expect(other.status).toBe(409);
    expect(other.body.error).toMatchObject({
      code: 'idempotencyKeyReused',
      message: expect.stringContaining('reuse-1'),
    });
    const after = await svc.call('GET', `${JOBS}?$top=1000`, { token: authAdmin });
    expect(after.body.value).toHaveLength(before.body.value.length);
  });

  it.each([
    ['an empty key', ''],
    ['a key with a space', 'batch 1'],
    ['a key with a slash', 'a/b'],
    ['a key of 129 characters', 'k'.repeat(129)],
    ['a key that is not a string', 42],
  ])('refuses %s (400) and creates nothing', async (_title, idempotencyKey) => {
    const before = await svc.call('GET', `${JOBS}?$top=1000`, { token: authAdmin });
    const refused = await create({ idempotencyKey });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toEqual(expect.any(String));
    expect(refused.body.error.message).toEqual(expect.any(String));
    const after = await svc.call('GET', `${JOBS}?$top=1000`, { token: authAdmin });
    expect(after.body.value).toHaveLength(before.body.value.length);
  });

  it('refuses requestedBy over HTTP (the caller is whoever the token says): 400', async () => {
    expect((await create({ requestedBy: 'someone@contoso.com' })).status).toBe(400);
  });

  it('lists jobs newest first as a Graph collection, paged by @odata.nextLink', async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const job = await create();
      expect(job.status).toBe(202);
      made.push(job.body.id);
      await new Promise((r) => setTimeout(r, 5)); // distinct creation instants
    }
    const first = await svc.call('GET', `${JOBS}?$top=2`, { token: authAdmin });
    expect(first.status).toBe(200);
    expect(first.body.value.map((j: { id: string }) => j.id)).toEqual([made[2], made[1]]);
    expect(first.body.value[0]).toMatchObject({
      id: made[2],
      status: expect.stringMatching(/^(running|completed)$/),
      createdBy: { userPrincipalName: 'admin@contoso.com' },
      totalUsers: 2,
      statusQueryGetUri: expect.stringContaining(`${JOBS}/${made[2]}`),
    });
    const next: string = first.body['@odata.nextLink'];
    expect(next).toContain('$skiptoken=');
    const second = await svc.call('GET', next.slice(next.indexOf(JOBS)), { token: authAdmin });
    expect(second.status).toBe(200);
    expect(second.body.value[0].id).toBe(made[0]);

    // All pages together: every job once, newest first.
    const all: Array<{ id: string; createdDateTime: string }> = [];
    for (let link: string | undefined = `${JOBS}?$top=3`; link;) {
      const page = await svc.call('GET', link, { token: authAdmin });
      all.push(...page.body.value);
      const nextLink: string | undefined = page.body['@odata.nextLink'];
      link = nextLink ? nextLink.slice(nextLink.indexOf(JOBS)) : undefined;
    }
    expect(new Set(all.map((j) => j.id)).size).toBe(all.length);
    const times = all.map((j) => j.createdDateTime);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('refuses a forged $skiptoken (400) and a caller without read rights (403)', async () => {
    const forged = await svc.call('GET', `${JOBS}?$skiptoken=forged`, { token: authAdmin });
    expect(forged.status).toBe(400);
    expect(forged.body.error.message).toContain('$skiptoken');
    const alice = await svc.token({ upn: 'alice@contoso.com' });
    expect((await svc.call('GET', JOBS, { token: alice })).status).toBe(403);
    expect((await svc.call('GET', JOBS)).status).toBe(401);
  });
});
