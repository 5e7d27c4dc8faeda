import { applyPolicyPatch } from './applyPolicyPatch';
import { defaultFido2Policy, Fido2Policy } from './fido2Policy';
import { ImpactSubject, keyRestrictionImpact } from './keyRestrictionImpact';
import { MICROSOFT_AUTHENTICATOR_AAGUIDS as MS } from './microsoftAuthenticatorAaguids';
import { proposeKeyRestrictions } from './proposeKeyRestrictions';

const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const FEITIAN = '12ded745-4bed-47d4-abaa-e713f51d6393';
const ICLOUD = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';
const CONTRACTORS = 'aaaaaaaa-0000-4000-8000-000000000002';

const user = (name: string, keys: Array<[string, string]>, groupIds: string[] = []): ImpactSubject => ({
  user: { id: `id-${name}`, userPrincipalName: `${name}@contoso.com`, userType: 'Member', accountEnabled: true },
  displayName: name,
  groupIds,
  passkeys: keys.map(([id, aaGuid]) => ({ id, displayName: id, aaGuid, model: null, backupEligible: false })),
});
const tenant = [
  user('alice', [['a1', YUBIKEY]]),
  user('bob', [
    ['b1', YUBIKEY],
    ['b2', FEITIAN.toUpperCase()],
  ]),
  user('erin', [['e1', ICLOUD]], [CONTRACTORS]),
];
const enabled: Fido2Policy = { ...defaultFido2Policy(), state: 'enabled' };

describe('proposeKeyRestrictions: an allow list of every model in use by users in scope', () => {
  it.each<[string, Fido2Policy, string[]]>([
    ['everyone in scope', enabled, [FEITIAN, ICLOUD, YUBIKEY]],
    [
      'contractors excluded: their model is not proposed',
      applyPolicyPatch(enabled, { excludeTargets: [{ targetType: 'group', id: CONTRACTORS }] }),
      [FEITIAN, YUBIKEY],
    ],
    [
      'a model blocked today is not in use and is not proposed',
      applyPolicyPatch(enabled, {
        keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [FEITIAN] },
      }),
      [ICLOUD, YUBIKEY],
    ],
  ])('%s, plus Microsoft Authenticator', (_name, current, inUse) => {
    const proposal = proposeKeyRestrictions(current, tenant);
    expect(proposal.keyRestrictions).toEqual({
      isEnforced: true,
      enforcementType: 'allow',
      aaGuids: [...inUse, MS.iOS, MS.android].sort(),
    });
    // Round trip: applying it leaves nobody without a passkey that works today.
    const applied = applyPolicyPatch(current, { keyRestrictions: proposal.keyRestrictions });
    expect(keyRestrictionImpact(applied, tenant, current).totals.usersLockedOutByChange).toBe(0);
    expect(
      keyRestrictionImpact(applied, tenant, current).users.flatMap((u) =>
        u.passkeysBlocked.filter((p) => !p.blockedToday),
      ),
    ).toEqual([]);
  });

  it('counts passkeys and users per model', () => {
    const { models } = proposeKeyRestrictions(enabled, tenant);
    expect(models.find((m) => m.aaGuid === YUBIKEY)).toEqual({
      aaGuid: YUBIKEY,
      model: null,
      passkeys: 2,
      users: 2,
      microsoftAuthenticator: false,
    });
    expect(models.find((m) => m.aaGuid === MS.android)).toMatchObject({
      passkeys: 0,
      users: 0,
      microsoftAuthenticator: true,
    });
  });
});
