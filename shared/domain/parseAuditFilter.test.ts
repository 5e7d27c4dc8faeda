import { DomainError } from './errors';
import { parseAuditFilter } from './parseAuditFilter';

describe('parseAuditFilter: activityDateTime bounds as [from, to)', () => {
  it.each<[string, string | undefined, { from?: string; to?: string }]>([
    ['no filter', undefined, {}],
    ['a blank filter', '   ', {}],
    ['ge includes the instant', 'activityDateTime ge 2026-11-27T00:00:00Z', { from: '2026-11-27T00:00:00.000Z' }],
    [
      'gt starts one millisecond later',
      'activityDateTime gt 2026-11-27T00:00:00Z',
      { from: '2026-11-27T00:00:00.001Z' },
    ],
    ['lt excludes the instant', 'activityDateTime lt 2026-11-28T00:00:00Z', { to: '2026-11-28T00:00:00.000Z' }],
    ['le includes the instant', 'activityDateTime le 2026-11-28T00:00:00Z', { to: '2026-11-28T00:00:00.001Z' }],
    [
      'two clauses joined by and',
      "activityDateTime ge '2026-11-27T00:00:00Z' AND activityDateTime lt 2026-11-28T12:30:00.5Z",
      { from: '2026-11-27T00:00:00.000Z', to: '2026-11-28T12:30:00.500Z' },
    ],
    [
      'operators and property in any case',
      'ActivityDateTime GE 2026-02-28T00:00:00Z',
      { from: '2026-02-28T00:00:00.000Z' },
    ],
    ['29 February of a leap year', 'activityDateTime ge 2028-02-29T00:00:00Z', { from: '2028-02-29T00:00:00.000Z' }],
  ])('%s', (_title, filter, expected) => {
    expect(parseAuditFilter(filter)).toEqual(expected);
  });

  it.each([
    ['another property', 'category eq Policy'],
    ['an unknown operator', 'activityDateTime eq 2026-11-27T00:00:00Z'],
    ['a date without time', 'activityDateTime ge 2026-11-27'],
    ['a time without Z', 'activityDateTime ge 2026-11-27T00:00:00'],
    ['or instead of and', 'activityDateTime ge 2026-11-27T00:00:00Z or activityDateTime lt 2026-11-28T00:00:00Z'],
    ['month 13', 'activityDateTime ge 2026-13-01T00:00:00Z'],
    ['30 February (an impossible calendar date, not 2 March)', 'activityDateTime ge 2026-02-30T00:00:00Z'],
    ['29 February of a common year', 'activityDateTime ge 2026-02-29T00:00:00Z'],
    ['31 April', 'activityDateTime lt 2026-04-31T00:00:00Z'],
    ['hour 24', 'activityDateTime ge 2026-11-27T24:00:00Z'],
    ['minute 60', 'activityDateTime ge 2026-11-27T12:60:00Z'],
  ])('refuses %s (400 BadRequest naming the clause)', (_title, filter) => {
    const error = (() => {
      try {
        parseAuditFilter(filter);
      } catch (e) {
        return e;
      }
      throw new Error(`accepted ${filter}`);
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'badRequest', code: 'BadRequest' });
    expect((error as DomainError).message).toContain('Invalid $filter clause');
  });
});
