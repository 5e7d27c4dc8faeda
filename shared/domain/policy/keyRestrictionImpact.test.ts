import { applyPolicyPatch } from './applyPolicyPatch';
import { defaultFido2Policy, Fido2Policy } from './fido2Policy';
import { ImpactPasskey, ImpactSubject, keyRestrictionImpact } from './keyRestrictionImpact';

const YUBIKEY = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const FEITIAN = '12ded745-4bed-47d4-abaa-e713f51d6393';
const ICLOUD = 'fbfc3007-154e-4ecc-8c0b-6e020557d7bd';
const CONTRACTORS = 'aaaaaaaa-0000-4000-8000-000000000002';

const key = (id: string, aaGuid: string, model: string, backupEligible = false): ImpactPasskey => ({
  id,
  displayName: id,
  aaGuid,
  model,
  backupEligible,
});
const user = (name: string, passkeys: ImpactPasskey[], groupIds: string[] = []): ImpactSubject => ({
  user: { id: `id-${name}`, userPrincipalName: `${name}@contoso.com`, userType: 'Member', accountEnabled: true },
  displayName: name,
  groupIds,
  passkeys,
});

/** Three models across users with one and two passkeys. */
const tenant: ImpactSubject[] = [
  user('alice', [key('alice-yubikey', YUBIKEY, 'YubiKey 5')]),
  user('bob', [key('bob-yubikey', YUBIKEY, 'YubiKey 5'), key('bob-feitian', FEITIAN, 'Feitian ePass')]),
  user('carol', [key('carol-feitian', FEITIAN, 'Feitian ePass')]),
  user('dave', [key('dave-icloud', ICLOUD, 'iCloud Keychain', true), key('dave-feitian', FEITIAN, 'Feitian ePass')]),
  user('erin', [key('erin-icloud', ICLOUD, 'iCloud Keychain', true)], [CONTRACTORS]),
  user('frank', []),
];

const enabled: Fido2Policy = { ...defaultFido2Policy(), state: 'enabled' };
const patched = (patch: Parameters<typeof applyPolicyPatch>[1], base = enabled) => applyPolicyPatch(base, patch);
const allowOnly = (...aaGuids: string[]) =>
  patched({ keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids } });

type Row = [string, Fido2Policy, Record<string, string[]>, string[]];

describe('keyRestrictionImpact: which passkeys a policy blocks at sign-in and who is left without one', () => {
  it.each<Row>([
    ['nothing enforced: every passkey kept', enabled, {}, []],
    [
      'allow only YubiKey 5',
      allowOnly(YUBIKEY),
      {
        bob: ['bob-feitian'],
        carol: ['carol-feitian'],
        dave: ['dave-icloud', 'dave-feitian'],
        erin: ['erin-icloud'],
      },
      ['carol', 'dave', 'erin'],
    ],
    [
      'block Feitian',
      patched({ keyRestrictions: { isEnforced: true, enforcementType: 'block', aaGuids: [FEITIAN.toUpperCase()] } }),
      { bob: ['bob-feitian'], carol: ['carol-feitian'], dave: ['dave-feitian'] },
      ['carol'],
    ],
    [
      'a default profile allowing device-bound passkeys only',
      patched({ passkeyProfiles: [{ ...enabled.passkeyProfiles[0], passkeyTypes: ['deviceBound'] }] }),
      { dave: ['dave-icloud'], erin: ['erin-icloud'] },
      ['erin'],
    ],
    [
      'contractors excluded: exclude wins over all_users',
      patched({ excludeTargets: [{ targetType: 'group', id: CONTRACTORS }] }),
      { erin: ['erin-icloud'] },
      ['erin'],
    ],
    [
      'method disabled: everyone with a passkey locked out',
      patched({ state: 'disabled' }),
      {
        alice: ['alice-yubikey'],
        bob: ['bob-yubikey', 'bob-feitian'],
        carol: ['carol-feitian'],
        dave: ['dave-icloud', 'dave-feitian'],
        erin: ['erin-icloud'],
      },
      ['alice', 'bob', 'carol', 'dave', 'erin'],
    ],
  ])('%s', (_name, policy, blocked, lockedOut) => {
    const impact = keyRestrictionImpact(policy, tenant, enabled);
    const blockedByUser = Object.fromEntries(
      impact.users
        .filter((u) => u.passkeysBlocked.length)
        .map((u) => [u.displayName, u.passkeysBlocked.map((p) => p.id)]),
    );
    expect(blockedByUser).toEqual(blocked);
    expect(impact.users.filter((u) => u.leftWithoutUsablePasskey).map((u) => u.displayName)).toEqual(lockedOut);
    expect(impact.users.filter((u) => u.lockedOutByChange).map((u) => u.displayName)).toEqual(lockedOut);
    const blockedCount = Object.values(blocked).flat().length;
    expect(impact.totals).toEqual({
      users: 5,
      passkeys: 7,
      passkeysBlocked: blockedCount,
      passkeysKept: 7 - blockedCount,
      usersLeftWithoutUsablePasskey: lockedOut.length,
      usersLockedOutByChange: lockedOut.length,
    });
  });

  it('names the kept passkeys and the sign-in refusal of each blocked one', () => {
    const bob = keyRestrictionImpact(allowOnly(YUBIKEY), tenant).users.find((u) => u.displayName === 'bob');
    expect(bob).toEqual({
      id: 'id-bob',
      userPrincipalName: 'bob@contoso.com',
      displayName: 'bob',
      passkeysKept: [
        {
          id: 'bob-yubikey',
          displayName: 'bob-yubikey',
          aaGuid: YUBIKEY,
          model: 'YubiKey 5',
          passkeyType: 'deviceBound',
        },
      ],
      passkeysBlocked: [
        {
          id: 'bob-feitian',
          displayName: 'bob-feitian',
          aaGuid: FEITIAN,
          model: 'Feitian ePass',
          passkeyType: 'deviceBound',
          errorCode: 'fido2KeyRestrictionViolation',
          reason: expect.stringMatching(
            new RegExp(`at sign-in: .*AAGUID ${FEITIAN} \\(Feitian ePass\\) is not on the allow list`),
          ),
          blockedToday: false,
        },
      ],
      leftWithoutUsablePasskey: false,
      lockedOutByChange: false,
    });
  });

  it('tells lock-outs caused by the change from users already without a usable passkey', () => {
    const today = allowOnly(YUBIKEY);
    const impact = keyRestrictionImpact(allowOnly(YUBIKEY, ICLOUD), tenant, today);
    const carol = impact.users.find((u) => u.displayName === 'carol');
    expect(carol).toMatchObject({ leftWithoutUsablePasskey: true, lockedOutByChange: false });
    expect(carol?.passkeysBlocked.map((p) => p.blockedToday)).toEqual([true]);
    expect(impact.totals).toMatchObject({ usersLeftWithoutUsablePasskey: 1, usersLockedOutByChange: 0 });
  });

  it('a passkey is kept when any profile targeting the user accepts it', () => {
    const second = {
      id: 'bbbbbbbb-0000-4000-8000-000000000001',
      name: 'Contractors: synced',
      passkeyTypes: ['synced' as const],
      attestationEnforcement: 'disabled' as const,
      keyRestrictions: { isEnforced: false, enforcementType: 'block' as const, aaGuids: [] },
    };
    const base = allowOnly(YUBIKEY);
    const policy = patched(
      {
        passkeyProfiles: [base.passkeyProfiles[0], second],
        includeTargets: [
          { targetType: 'group', id: 'all_users' },
          { targetType: 'group', id: CONTRACTORS, allowedPasskeyProfiles: [base.defaultPasskeyProfile, second.id] },
        ],
      },
      base,
    );
    const impact = keyRestrictionImpact(policy, tenant);
    expect(impact.users.find((u) => u.displayName === 'erin')?.passkeysKept.map((p) => p.id)).toEqual(['erin-icloud']);
    expect(impact.users.find((u) => u.displayName === 'dave')?.leftWithoutUsablePasskey).toBe(true);
  });
});
