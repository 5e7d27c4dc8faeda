import { Roles, startTestService, TestService } from '../support/localService';

const AUDITS = '/v1.0/auditLogs/directoryAudits';

describe('directoryAudits $filter over HTTP', () => {
  let svc: TestService;
  let reader: string;
  beforeAll(async () => {
    svc = await startTestService();
    reader = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.globalReader] });
  });
  afterAll(() => svc.close());

  const list = (filter: string) =>
    svc.call('GET', `${AUDITS}?$filter=${encodeURIComponent(filter)}`, { token: reader });

  it('answers a window of real dates', async () => {
    const res = await list('activityDateTime ge 2026-02-28T00:00:00Z and activityDateTime lt 2099-03-01T00:00:00Z');
    expect(res.status).toBe(200);
  });

  it.each([
    'activityDateTime ge 2026-02-30T00:00:00Z',
    'activityDateTime lt 2026-04-31T00:00:00Z',
    'activityDateTime ge 2026-11-27T24:00:00Z',
  ])(
    'refuses an impossible calendar date (%s): 400 in the Graph error shape, not a window starting in March',
    async (filter) => {
      const res = await list(filter);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({
        code: 'BadRequest',
        message: expect.stringContaining('Invalid $filter clause'),
      });
      expect(res.body.error.innerError['request-id']).toBeTruthy();
    },
  );
});
