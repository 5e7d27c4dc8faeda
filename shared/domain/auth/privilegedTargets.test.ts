import { isPrivilegedUser, mayActOnPrivilegedUser, assertMayActOnUser, SensitiveAction } from './privilegedTargets';
import { Principal } from './principal';
import { DirectoryRoles as R } from './roles';

const delegated = (...roles: string[]): Principal => ({
  kind: 'delegated',
  userId: 'u',
  permissions: [],
  roleTemplateIds: roles,
  scopes: ['user_impersonation'],
});
const application = (...permissions: string[]): Principal => ({
  kind: 'application',
  appId: 'a',
  permissions,
  roleTemplateIds: [],
  scopes: [],
});

describe('isPrivilegedUser', () => {
  it.each<[string, string[], boolean]>([
    ['no role', [], false],
    ['Directory Readers and Reports Reader only', [R['Directory Readers'], R['Reports Reader']], false],
    ['Authentication Administrator (Entra lets another one act on it)', [R['Authentication Administrator']], false],
    ['Global Administrator', [R['Global Administrator']], true],
    ['Privileged Authentication Administrator', [R['Privileged Authentication Administrator']], true],
    ['User Administrator', [R['User Administrator']], true],
    ['a limited role plus Security Administrator', [R['Reports Reader'], R['Security Administrator']], true],
    ['an unknown role id (fail closed)', ['00000000-1111-4222-8333-444444444444'], true],
    ['a limited role id in upper case', [R['Directory Readers'].toUpperCase()], false],
  ])('%s → %s', (_t, roles, expected) => expect(isPrivilegedUser(roles)).toBe(expected));
});

describe('mayActOnPrivilegedUser', () => {
  it.each<[string, Principal, SensitiveAction, boolean]>([
    [
      'attack: Authentication Administrator changes the passkeys of a privileged user',
      delegated(R['Authentication Administrator']),
      'authenticationMethods',
      false,
    ],
    [
      'attack: User Administrator renames a privileged user',
      delegated(R['User Administrator']),
      'signInProperties',
      false,
    ],
    ['attack: User Administrator deletes a privileged user', delegated(R['User Administrator']), 'deleteUser', false],
    [
      'Privileged Authentication Administrator changes passkeys',
      delegated(R['Privileged Authentication Administrator']),
      'authenticationMethods',
      true,
    ],
    [
      'Privileged Authentication Administrator renames',
      delegated(R['Privileged Authentication Administrator']),
      'signInProperties',
      true,
    ],
    ['Global Administrator deletes', delegated(R['Global Administrator']), 'deleteUser', true],
    [
      'app with UserAuthenticationMethod.ReadWrite.All changes passkeys (as Graph)',
      application('UserAuthenticationMethod.ReadWrite.All'),
      'authenticationMethods',
      true,
    ],
    [
      'attack: app with User.ReadWrite.All renames a privileged user',
      application('User.ReadWrite.All'),
      'signInProperties',
      false,
    ],
    [
      'attack: app with Directory.ReadWrite.All deletes a privileged user',
      application('Directory.ReadWrite.All'),
      'deleteUser',
      false,
    ],
    [
      'app with RoleManagement.ReadWrite.Directory renames (it could make itself GA anyway)',
      application('RoleManagement.ReadWrite.Directory'),
      'signInProperties',
      true,
    ],
    [
      'attack: app with wids-like permissions only',
      application(R['Global Administrator']),
      'authenticationMethods',
      false,
    ],
  ])('%s', (_t, principal, action, expected) => expect(mayActOnPrivilegedUser(principal, action)).toBe(expected));
});

describe('assertMayActOnUser', () => {
  it('lets anyone allowed by the route act on a non-privileged user', () => {
    expect(() =>
      assertMayActOnUser(delegated(R['Authentication Administrator']), 'authenticationMethods', {
        userPrincipalName: 'alice@contoso.com',
        roleDefinitionIds: [],
      }),
    ).not.toThrow();
  });
  it('attack: refuses an Authentication Administrator on a Global Administrator with a 403 that names the user and the roles needed', () => {
    expect(() =>
      assertMayActOnUser(delegated(R['Authentication Administrator']), 'authenticationMethods', {
        userPrincipalName: 'admin@contoso.com',
        roleDefinitionIds: [R['Global Administrator']],
      }),
    ).toThrow(
      expect.objectContaining({
        kind: 'forbidden',
        code: 'privilegedTargetRequiresPrivilegedRole',
        message: expect.stringMatching(
          /admin@contoso\.com.*Privileged Authentication Administrator or Global Administrator/,
        ),
      }),
    );
  });
  it('names the application permission an app would need', () => {
    expect(() =>
      assertMayActOnUser(application('User.ReadWrite.All'), 'signInProperties', {
        userPrincipalName: 'admin@contoso.com',
        roleDefinitionIds: [R['Global Administrator']],
      }),
    ).toThrow(/RoleManagement\.ReadWrite\.Directory/);
  });
});
