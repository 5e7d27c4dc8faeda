import { claimantLabel } from './claimantLabel';

describe('claimantLabel', () => {
  it.each([
    [
      'a user token: the UPN',
      { userPrincipalName: 'admin@contoso.com', userId: 'u-1', appId: 'app' },
      undefined,
      'admin@contoso.com',
    ],
    ['a user token without a UPN: the object id', { userId: 'u-1', appId: 'app' }, undefined, 'u-1'],
    ['an app-only token: the app id', { appId: 'app' }, undefined, 'app'],
    ['no identity at all', {}, undefined, 'unknown caller'],
    [
      'a station id: a label beside the caller',
      { userPrincipalName: 'admin@contoso.com' },
      'desk-3',
      'admin@contoso.com (station desk-3)',
    ],
    ['a station id on an app token', { appId: 'app' }, 'desk-3', 'app (station desk-3)'],
    ['an empty station id: no label', { appId: 'app' }, '', 'app'],
  ])('%s', (_title, principal, stationId, expected) => {
    expect(claimantLabel(principal, stationId)).toBe(expected);
  });
});
