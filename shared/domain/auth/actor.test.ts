import { actorOf } from './actor';

describe('actorOf: who the audit log says made a change', () => {
  it.each([
    [
      'a signed-in user',
      {
        kind: 'delegated' as const,
        userId: 'u1',
        userPrincipalName: 'a@contoso.com',
        appId: 'client',
        permissions: [],
        roleTemplateIds: [],
        scopes: [],
      },
      { user: { id: 'u1', userPrincipalName: 'a@contoso.com' }, app: null },
    ],
    [
      'a user token without a UPN',
      { kind: 'delegated' as const, userId: 'u1', permissions: [], roleTemplateIds: [], scopes: [] },
      { user: { id: 'u1', userPrincipalName: null }, app: null },
    ],
    [
      'an application',
      { kind: 'application' as const, appId: 'client', permissions: [], roleTemplateIds: [], scopes: [] },
      { user: null, app: { appId: 'client' } },
    ],
    ['nobody (the service itself)', undefined, { user: null, app: { appId: 'passkey-service' } }],
  ])('%s', (_title, principal, expected) => {
    expect(actorOf(principal)).toEqual(expected);
  });
});
