import { newRoleAssignment, parseRoleAssignmentId, roleAssignmentId } from './roleAssignment';
import { parseRoleAssignmentFilter } from './parseRoleAssignmentFilter';

const GA = '62e90394-69f5-4237-9190-012177145e10';
const USER = '00000000-0000-4000-8000-0000000000a0';

describe('role assignment ids', () => {
  it('derives one id per (role, principal), case-insensitively, and reads both back from it', () => {
    const id = roleAssignmentId(GA, USER);
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}-1$/);
    expect(roleAssignmentId(GA.toUpperCase(), USER.toUpperCase())).toBe(id);
    expect(parseRoleAssignmentId(id)).toEqual({ roleDefinitionId: GA, principalId: USER });
    expect(newRoleAssignment(GA, USER)).toEqual({ id, principalId: USER, roleDefinitionId: GA, directoryScopeId: '/' });
  });
  it.each(['', '-1', 'abc', `${roleAssignmentId(GA, USER).slice(0, -2)}-2`, `${'A'.repeat(42)}B-1`, '../../x-1'])(
    'refuses the id %j',
    (id) => {
      expect(parseRoleAssignmentId(id)).toBeNull();
    },
  );
});

describe('parseRoleAssignmentFilter', () => {
  it.each<[string | undefined, object]>([
    [undefined, {}],
    [`principalId eq '${USER}'`, { principalId: USER }],
    [`principalId eq '${USER}' and roleDefinitionId eq '${GA}'`, { principalId: USER, roleDefinitionId: GA }],
    [`PRINCIPALID eq '${USER}'`, { principalId: USER }],
  ])('%j', (filter, expected) => expect(parseRoleAssignmentFilter(filter)).toEqual(expected));
  it.each([`startswith(principalId,'0')`, `displayName eq 'x'`, `principalId ne 'x'`])(
    'refuses %j with a 400',
    (filter) => {
      expect(() => parseRoleAssignmentFilter(filter)).toThrow(expect.objectContaining({ kind: 'badRequest' }));
    },
  );
});
