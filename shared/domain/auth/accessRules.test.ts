import { AccessRules } from './accessRules';
import { DirectoryRoles as R } from './roles';

type RuleName = keyof typeof AccessRules;
const writeRules: RuleName[] = [
  'policyWrite',
  'userWrite',
  'groupWrite',
  'methodsWrite',
  'roleAssignmentsWrite',
  'strengthsWrite',
];
const readRules: RuleName[] = [
  'policyRead',
  'directoryRead',
  'methodsRead',
  'auditRead',
  'roleAssignmentsRead',
  'signInLogRead',
  'aaguidInventoryRead',
  'strengthsRead',
];

describe('AccessRules: least-privileged permissions and roles per route, as Graph documents them', () => {
  it('names every admin rule as either a read or a write, and one rule for the signed-in user', () => {
    expect(new Set([...writeRules, ...readRules, 'signedInUser'])).toEqual(new Set(Object.keys(AccessRules)));
  });

  it.each(writeRules)('attack: %s admits no read-only permission and no Global Reader', (name) => {
    const rule = AccessRules[name];
    expect(rule.permissions.filter((p) => !/ReadWrite/.test(p))).toEqual([]);
    expect(rule.roles).not.toContain(R['Global Reader']);
  });

  it.each(readRules)('%s admits a Global Reader and the Global Administrator', (name) => {
    expect(AccessRules[name].roles).toEqual(expect.arrayContaining([R['Global Reader'], R['Global Administrator']]));
  });

  it.each<[RuleName, string, boolean]>([
    ['policyWrite', R['Authentication Policy Administrator'], true],
    ['policyWrite', R['Authentication Administrator'], false],
    ['methodsWrite', R['Authentication Administrator'], true],
    ['methodsWrite', R['Privileged Authentication Administrator'], true],
    ['methodsWrite', R['Authentication Policy Administrator'], false],
    ['userWrite', R['User Administrator'], true],
    ['userWrite', R['Authentication Administrator'], false],
    ['roleAssignmentsWrite', R['Privileged Role Administrator'], true],
    ['roleAssignmentsWrite', R['User Administrator'], false],
    ['auditRead', R['Security Administrator'], true],
    ['auditRead', R['User Administrator'], false],
  ])('%s with role %s: %s', (name, role, admitted) => {
    expect((AccessRules[name].roles as readonly string[]).includes(role)).toBe(admitted);
  });

  it('lets any signed-in user act as themself, with no permission or role', () => {
    expect(AccessRules.signedInUser).toMatchObject({ signedInUser: true, permissions: [], roles: [] });
  });
});
