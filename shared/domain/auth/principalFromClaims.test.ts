import { DomainError } from '../errors';
import { Principal } from './principal';
import { principalFromClaims } from './principalFromClaims';

const USER = '11111111-1111-4111-8111-111111111111';
const APP = '22222222-2222-4222-8222-222222222222';

describe('principalFromClaims: which kind of token, and what it carries', () => {
  it.each<[string, Record<string, unknown>, Partial<Principal>]>([
    [
      'v2 user token (idtyp user)',
      { oid: USER, sub: 'pairwise', idtyp: 'user', preferred_username: 'a@contoso.com', scp: 'user_impersonation' },
      { kind: 'delegated', userId: USER, userPrincipalName: 'a@contoso.com', scopes: ['user_impersonation'] },
    ],
    [
      'upn wins over preferred_username',
      { oid: USER, sub: USER, upn: 'upn@contoso.com', preferred_username: 'pref@contoso.com' },
      { userPrincipalName: 'upn@contoso.com' },
    ],
    [
      'v2 app token (idtyp app) drops scp and the user',
      {
        oid: APP,
        sub: APP,
        idtyp: 'app',
        azp: 'client',
        roles: ['Policy.Read.All'],
        scp: 'User.Read',
        upn: 'x@contoso.com',
      },
      {
        kind: 'application',
        userId: undefined,
        userPrincipalName: undefined,
        appId: 'client',
        permissions: ['Policy.Read.All'],
        scopes: [],
      },
    ],
    [
      'v1 app token (oid = sub, roles, no user, no scope)',
      { oid: APP, sub: APP, appid: 'client-v1', roles: ['AuditLog.Read.All'] },
      { kind: 'application', appId: 'client-v1', permissions: ['AuditLog.Read.All'] },
    ],
    [
      'v1 token whose oid differs from sub is delegated',
      { oid: USER, sub: 'other', roles: ['AuditLog.Read.All'] },
      { kind: 'delegated', userId: USER },
    ],
    [
      'v1 token with oid = sub but no roles is delegated',
      { oid: USER, sub: USER },
      { kind: 'delegated', userId: USER },
    ],
    [
      'a token with a upn is never app-only without idtyp',
      { oid: USER, sub: USER, upn: 'a@contoso.com', roles: ['X'] },
      { kind: 'delegated', userId: USER },
    ],
    [
      'a token with sub only and roles is delegated (its roles never count)',
      { sub: USER, roles: ['Policy.ReadWrite.AuthenticationMethod'] },
      { kind: 'delegated', userId: undefined },
    ],
    [
      'scp and roles as space-separated strings or arrays',
      { oid: USER, sub: USER, scp: 'A  B', roles: 'C D', wids: ['ABC', 42] },
      { scopes: ['A', 'B'], permissions: ['C', 'D'], roleTemplateIds: ['abc'] },
    ],
    [
      'empty strings are absent',
      { oid: USER, sub: USER, upn: '', azp: '' },
      { userPrincipalName: undefined, appId: undefined },
    ],
  ])('%s', (_title, claims, expected) => {
    expect(principalFromClaims(claims)).toMatchObject(expected);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      'attack: roles without oid or sub (was read as an app-only token)',
      { roles: ['Policy.ReadWrite.AuthenticationMethod'] },
    ],
    [
      'attack: idtyp app without oid or sub',
      { idtyp: 'app', azp: 'client', roles: ['Policy.ReadWrite.AuthenticationMethod'] },
    ],
    [
      'a delegated shape without oid or sub',
      { scp: 'user_impersonation', wids: ['62e90394-69f5-4237-9190-012177145e10'] },
    ],
    ['empty oid and sub', { oid: '', sub: '', roles: ['Policy.Read.All'] }],
  ])('refuses %s (401 InvalidAuthenticationToken)', (_title, claims) => {
    expect(() => principalFromClaims(claims)).toThrow(DomainError);
    expect(() => principalFromClaims(claims)).toThrow(
      expect.objectContaining({ kind: 'unauthorized', code: 'InvalidAuthenticationToken' }),
    );
  });
});
