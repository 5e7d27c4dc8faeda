import { AuditQuery, AuditRepository } from '../../ports/audit.port';
import { AuditService } from './auditService';

/** An audit log that records the queries it is asked (the store's own paging has its contract suite). */
function recordingAudit(): AuditRepository & { queries: AuditQuery[] } {
  const queries: AuditQuery[] = [];
  return {
    queries,
    append: async () => undefined,
    list: async (query) => (queries.push(query), { items: [], next: undefined }),
  };
}

describe('AuditService.list', () => {
  it.each([
    ['no filter', { top: 100 }, { top: 100 }],
    [
      'a range and a cursor',
      {
        filter: 'activityDateTime ge 2026-11-01T00:00:00Z and activityDateTime lt 2026-12-01T00:00:00Z',
        top: 5,
        skipToken: 'c1',
      },
      { from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', top: 5, after: 'c1' },
    ],
    [
      'gt (exclusive lower bound)',
      { filter: 'activityDateTime gt 2026-11-01T00:00:00Z', top: 1 },
      { from: '2026-11-01T00:00:00.001Z', top: 1 },
    ],
  ])('%s: asks the log for the bounds of $filter', async (_name, request, query) => {
    const audit = recordingAudit();
    await new AuditService(audit).list(request);
    expect(audit.queries).toEqual([query]);
  });

  it('refuses a $filter it cannot read, without reading the log', async () => {
    const audit = recordingAudit();
    await expect(new AuditService(audit).list({ filter: "displayName eq 'x'", top: 1 })).rejects.toThrow(
      /Invalid \$filter clause 'displayName eq 'x''/,
    );
    expect(audit.queries).toEqual([]);
  });
});
