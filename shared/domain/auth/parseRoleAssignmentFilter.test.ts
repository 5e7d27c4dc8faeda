import { parseRoleAssignmentFilter } from './parseRoleAssignmentFilter';

describe('parseRoleAssignmentFilter: principalId and/or roleDefinitionId eq', () => {
  it.each<[string, string | undefined, ReturnType<typeof parseRoleAssignmentFilter>]>([
    ['no filter', undefined, {}],
    ['principalId', "principalId eq 'u1'", { principalId: 'u1' }],
    ['roleDefinitionId', "roleDefinitionId eq 'r1'", { roleDefinitionId: 'r1' }],
    ['both', "principalId eq 'u1' and roleDefinitionId eq 'r1'", { principalId: 'u1', roleDefinitionId: 'r1' }],
  ])('%s', (_title, filter, expected) => {
    expect(parseRoleAssignmentFilter(filter)).toEqual(expected);
  });

  it.each<[string, string, RegExp]>([
    [
      'startswith',
      "startswith(principalId,'u')",
      /Unsupported \$filter operator on 'principalId': received startswith/,
    ],
    [
      'another property',
      "displayName eq 'x'",
      /Unsupported \$filter property 'displayName'; expected one of principalId, roleDefinitionId/,
    ],
    ['a malformed clause', 'principalId = u1', /Invalid \$filter clause/],
  ])('refuses %s (400 BadRequest)', (_title, filter, message) => {
    expect(() => parseRoleAssignmentFilter(filter)).toThrow(
      expect.objectContaining({ kind: 'badRequest', code: 'BadRequest', message: expect.stringMatching(message) }),
    );
  });
});
