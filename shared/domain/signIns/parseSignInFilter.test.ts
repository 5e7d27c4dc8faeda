import { DomainError } from '../errors';
import { parseSignInFilter, SignInFilter } from './parseSignInFilter';

describe('parseSignInFilter: the signIns $filter subset', () => {
  it.each<[string, string | undefined, SignInFilter]>([
    ['no filter', undefined, {}],
    ['blank', '  ', {}],
    ['ge', 'createdDateTime ge 2026-11-27T00:00:00Z', { from: '2026-11-27T00:00:00.000Z' }],
    ['gt', 'createdDateTime gt 2026-11-27T00:00:00Z', { from: '2026-11-27T00:00:00.001Z' }],
    ['lt', 'createdDateTime lt 2026-11-28T00:00:00Z', { to: '2026-11-28T00:00:00.000Z' }],
    ['le', "createdDateTime le '2026-11-28T00:00:00Z'", { to: '2026-11-28T00:00:00.001Z' }],
    ['upn eq', "userPrincipalName eq 'Ada@contoso.com'", { userPrincipalName: 'Ada@contoso.com' }],
    [
      'upn with a doubled quote',
      "userPrincipalName eq 'o''brien@contoso.com'",
      { userPrincipalName: "o'brien@contoso.com" },
    ],
    ['errorCode eq', 'status/errorCode eq 90023', { errorCode: 90023 }],
    ['success', 'status/errorCode eq 0', { errorCode: 0 }],
    [
      'all combined with and, any case',
      "CreatedDateTime GE 2026-11-27T00:00:00Z AND userPrincipalName EQ 'a@b.c' and Status/ErrorCode eq 0",
      { from: '2026-11-27T00:00:00.000Z', userPrincipalName: 'a@b.c', errorCode: 0 },
    ],
  ])('%s', (_title, filter, expected) => {
    expect(parseSignInFilter(filter)).toEqual(expected);
  });

  it.each([
    ['another property', "appId eq 'x'"],
    ['or', "userPrincipalName eq 'a' or userPrincipalName eq 'b'"],
    ['startswith', "startswith(userPrincipalName, 'a')"],
    ['an unquoted upn', 'userPrincipalName eq a@b.c'],
    ['a negative error code', 'status/errorCode eq -1'],
    ['errorCode ne', 'status/errorCode ne 0'],
    ['an impossible date', 'createdDateTime ge 2026-02-30T00:00:00Z'],
    ['a date without time', 'createdDateTime ge 2026-02-01'],
    ['an unbalanced quote', "userPrincipalName eq 'a'b'"],
  ])('refuses %s with a 400 naming the clause', (_title, filter) => {
    expect(() => parseSignInFilter(filter)).toThrow(DomainError);
    expect(() => parseSignInFilter(filter)).toThrow(/Invalid \$filter clause/);
  });
});
