import { AccessRules } from './accessRules';
import { isAllowed, Principal } from './principal';
import { principalFromClaims } from './principalFromClaims';
import { DirectoryRoles as R } from './roles';

const USER = '11111111-1111-4111-8111-111111111111';
const user = (claims: Record<string, unknown>) =>
  principalFromClaims({ oid: USER, sub: USER, upn: 'admin@contoso.com', idtyp: 'user', ...claims });
const app = (claims: Record<string, unknown>) =>
  principalFromClaims({ oid: 'app-oid', sub: 'app-oid', azp: 'app-id', idtyp: 'app', ...claims });

describe('isAllowed: delegated scopes need a directory role, application permissions do not', () => {
  const cases: Array<[string, Principal, keyof typeof AccessRules, boolean]> = [
    [
      'attack: delegated Graph scope without any directory role writes the policy',
      user({ scp: 'Policy.ReadWrite.AuthenticationMethod' }),
      'policyWrite',
      false,
    ],
    [
      'attack: delegated scope of the right name, role of another rule (Global Reader) writes the policy',
      user({ scp: 'Policy.ReadWrite.AuthenticationMethod', wids: [R['Global Reader']] }),
      'policyWrite',
      false,
    ],
    [
      'attack: delegated UserAuthenticationMethod.ReadWrite.All scope without a role deletes passkeys',
      user({ scp: 'UserAuthenticationMethod.ReadWrite.All' }),
      'methodsWrite',
      false,
    ],
    [
      'attack: a user token carrying application permissions in `roles` writes the policy',
      user({ scp: 'user_impersonation', roles: ['Policy.ReadWrite.AuthenticationMethod'] }),
      'policyWrite',
      false,
    ],
    [
      'attack: a directory role without any scope (a sign-in token shape) writes the policy',
      user({ wids: [R['Global Administrator']] }),
      'policyWrite',
      false,
    ],
    [
      'attack: an app-only token carrying a delegated scope writes the policy',
      app({ scp: 'Policy.ReadWrite.AuthenticationMethod' }),
      'policyWrite',
      false,
    ],
    [
      'attack: an app-only token carrying wids writes the policy',
      app({ wids: [R['Global Administrator']] }),
      'policyWrite',
      false,
    ],
    [
      'delegated Graph scope + Authentication Policy Administrator writes the policy',
      user({ scp: 'Policy.ReadWrite.AuthenticationMethod', wids: [R['Authentication Policy Administrator']] }),
      'policyWrite',
      true,
    ],
    [
      'delegated API scope (user_impersonation) + Global Administrator writes the policy',
      user({ scp: 'user_impersonation', wids: [R['Global Administrator']] }),
      'policyWrite',
      true,
    ],
    [
      'delegated scope + role, scope named in another case',
      user({
        scp: 'policy.readwrite.authenticationmethod',
        wids: [R['Authentication Policy Administrator'].toUpperCase()],
      }),
      'policyWrite',
      true,
    ],
    [
      'delegated unrelated scope (User.Read) + the right role is refused',
      user({ scp: 'User.Read', wids: [R['Authentication Policy Administrator']] }),
      'policyWrite',
      false,
    ],
    [
      'application permission writes the policy',
      app({ roles: ['Policy.ReadWrite.AuthenticationMethod'] }),
      'policyWrite',
      true,
    ],
    ['application read permission cannot write', app({ roles: ['Policy.Read.All'] }), 'policyWrite', false],
    [
      'v1 app-only token (no idtyp, oid = sub, roles) uses its permissions',
      principalFromClaims({ oid: 'x', sub: 'x', roles: ['AuditLog.Read.All'] }),
      'auditRead',
      true,
    ],
    ['any signed-in user may act as themself', user({}), 'signedInUser', true],
    ['an app-only token is no signed-in user', app({ roles: ['User.ReadWrite.All'] }), 'signedInUser', false],
    [
      'RoleManagement.ReadWrite.Directory assigns roles',
      app({ roles: ['RoleManagement.ReadWrite.Directory'] }),
      'roleAssignmentsWrite',
      true,
    ],
    [
      'Directory.Read.All reads but does not assign roles',
      app({ roles: ['Directory.Read.All'] }),
      'roleAssignmentsWrite',
      false,
    ],
    [
      'Privileged Role Administrator assigns roles',
      user({ scp: 'user_impersonation', wids: [R['Privileged Role Administrator']] }),
      'roleAssignmentsWrite',
      true,
    ],
    [
      'attack: User Administrator assigns roles (would make itself Global Administrator)',
      user({ scp: 'user_impersonation', wids: [R['User Administrator']] }),
      'roleAssignmentsWrite',
      false,
    ],
    [
      'Global Reader reads role assignments',
      user({ scp: 'user_impersonation', wids: [R['Global Reader']] }),
      'roleAssignmentsRead',
      true,
    ],
    [
      'no token kind (anonymous) is never allowed',
      {
        permissions: ['Policy.ReadWrite.AuthenticationMethod'],
        roleTemplateIds: [R['Global Administrator']],
        scopes: ['user_impersonation'],
      },
      'policyWrite',
      false,
    ],
  ];
  it.each(cases)('%s', (_title, principal, rule, expected) => {
    expect(isAllowed(principal, AccessRules[rule])).toBe(expected);
  });
});

describe('principalFromClaims', () => {
  it.each<[string, Record<string, unknown>, Partial<Principal>]>([
    [
      'a delegated token',
      { oid: USER, upn: 'a@contoso.com', scp: 'User.Read Policy.Read.All', wids: ['ABC'] },
      { kind: 'delegated', userId: USER, scopes: ['User.Read', 'Policy.Read.All'], roleTemplateIds: ['abc'] },
    ],
    [
      'an app token (idtyp)',
      { oid: 'o', sub: 's', idtyp: 'app', roles: ['X'], scp: 'Y' },
      { kind: 'application', userId: undefined, permissions: ['X'], scopes: [] },
    ],
    [
      'a v1 app token (oid = sub, roles, no user)',
      { oid: 'o', sub: 'o', roles: ['X'] },
      { kind: 'application', userId: undefined },
    ],
    [
      'a token with a scope is never app-only',
      { oid: 'o', sub: 'o', roles: ['X'], scp: 'Y' },
      { kind: 'delegated', userId: 'o' },
    ],
  ])('%s', (_title, claims, expected) => {
    expect(principalFromClaims(claims)).toMatchObject(expected);
  });
});
