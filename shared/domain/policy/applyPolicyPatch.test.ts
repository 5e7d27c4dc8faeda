import { applyPolicyPatch, referencedGroupIds } from './applyPolicyPatch';
import { defaultFido2Policy, DEFAULT_PASSKEY_PROFILE_ID, Fido2KeyRestrictions, PasskeyProfile } from './fido2Policy';

const YUBIKEY_5 = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';

/** The default profile as a v1.0 client sends it: an allow list of one AAGUID. */
const allowListProfile = (overrides: Partial<PasskeyProfile> = {}): PasskeyProfile => ({
  id: DEFAULT_PASSKEY_PROFILE_ID,
  name: 'Default passkey profile',
  passkeyTypes: ['deviceBound'],
  attestationEnforcement: 'disabled',
  keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: [YUBIKEY_5.toUpperCase()] },
  ...overrides,
});

const allowList: Fido2KeyRestrictions = { isEnforced: true, enforcementType: 'allow', aaGuids: [YUBIKEY_5] };

describe('applyPolicyPatch: legacy settings and the default profile in one PATCH', () => {
  it.each([
    ['isAttestationEnforced: false', false, 'disabled'],
    ['isAttestationEnforced: true', true, 'registrationOnly'],
  ] as const)(
    'attack: a new default-profile allow list sent with %s is kept, not dropped',
    (_title, isAttestationEnforced, attestationEnforcement) => {
      const next = applyPolicyPatch(defaultFido2Policy(), {
        passkeyProfiles: [allowListProfile()],
        isAttestationEnforced,
      });
      expect(next.keyRestrictions).toEqual(allowList);
      expect(next.passkeyProfiles[0].keyRestrictions).toEqual(allowList);
      expect(next.isAttestationEnforced).toBe(isAttestationEnforced);
      expect(next.passkeyProfiles[0].attestationEnforcement).toBe(attestationEnforcement);
    },
  );

  it('attack: a partial legacy keyRestrictions merges onto the new default profile, not onto the old legacy list', () => {
    const next = applyPolicyPatch(defaultFido2Policy(), {
      passkeyProfiles: [
        allowListProfile({ keyRestrictions: { isEnforced: false, enforcementType: 'allow', aaGuids: [YUBIKEY_5] } }),
      ],
      keyRestrictions: { isEnforced: true },
    });
    expect(next.keyRestrictions).toEqual(allowList);
    expect(next.passkeyProfiles[0].keyRestrictions).toEqual(allowList);
  });

  it('a legacy property the PATCH sets explicitly still wins over the profile it mirrors', () => {
    const next = applyPolicyPatch(defaultFido2Policy(), {
      passkeyProfiles: [allowListProfile()],
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
    });
    expect(next.keyRestrictions).toEqual({ isEnforced: false, enforcementType: 'block', aaGuids: [] });
    expect(next.passkeyProfiles[0].keyRestrictions).toEqual(next.keyRestrictions);
  });
});

describe('applyPolicyPatch: refusals (400 badRequest naming the property)', () => {
  const GROUP = 'aaaaaaaa-0000-4000-8000-000000000001';
  it.each<[string, Parameters<typeof applyPolicyPatch>[1], RegExp]>([
    [
      'a profile listed twice',
      { passkeyProfiles: [allowListProfile(), allowListProfile()] },
      /passkeyProfiles lists target '.*' more than once/,
    ],
    [
      'an include target listed twice (all_users in any case)',
      {
        includeTargets: [
          { targetType: 'group', id: 'all_users' },
          { targetType: 'group', id: 'ALL_USERS' },
        ],
      },
      /includeTargets lists target 'ALL_USERS' more than once/,
    ],
    [
      'an exclude target listed twice (id in any case)',
      {
        excludeTargets: [
          { targetType: 'group', id: GROUP },
          { targetType: 'group', id: GROUP.toUpperCase() },
        ],
      },
      /excludeTargets lists target/,
    ],
    [
      'a default profile that is not one of the profiles',
      { defaultPasskeyProfile: 'missing' },
      /defaultPasskeyProfile 'missing' is not one of passkeyProfiles \(00000000-0000-0000-0000-000000000001\)/,
    ],
    [
      'profiles that drop the default profile',
      { passkeyProfiles: [allowListProfile({ id: 'p2' })] },
      /defaultPasskeyProfile '00000000-0000-0000-0000-000000000001' is not one of passkeyProfiles \(p2\)/,
    ],
    ['an empty list of profiles', { passkeyProfiles: [] }, /is not one of passkeyProfiles \(none\)/],
    [
      'a target allowing an unknown profile',
      { includeTargets: [{ targetType: 'group', id: 'all_users', allowedPasskeyProfiles: ['p9'] }] },
      /includeTargets\['all_users'\]\.allowedPasskeyProfiles names 'p9'/,
    ],
  ])('refuses %s', (_title, patch, message) => {
    expect(() => applyPolicyPatch(defaultFido2Policy(), patch)).toThrow(
      expect.objectContaining({ kind: 'badRequest', code: 'BadRequest', message: expect.stringMatching(message) }),
    );
  });

  it('refuses profiles that drop one an existing target allows', () => {
    const withPilotProfile = applyPolicyPatch(defaultFido2Policy(), {
      passkeyProfiles: [allowListProfile(), allowListProfile({ id: 'p2' })],
      includeTargets: [{ targetType: 'group', id: GROUP, allowedPasskeyProfiles: ['p2'] }],
    });
    expect(() => applyPolicyPatch(withPilotProfile, { passkeyProfiles: [allowListProfile()] })).toThrow(
      /allowedPasskeyProfiles names 'p2'/,
    );
  });
});

describe('applyPolicyPatch: what a PATCH changes', () => {
  it('leaves absent properties unchanged and does not touch the current policy', () => {
    const current = defaultFido2Policy();
    const next = applyPolicyPatch(current, { state: 'enabled' });
    expect(next).toEqual({ ...defaultFido2Policy(), state: 'enabled' });
    expect(current).toEqual(defaultFido2Policy());
  });

  it('sets self-service and normalises AAGUIDs (lower case, once each)', () => {
    const next = applyPolicyPatch(defaultFido2Policy(), {
      isSelfServiceRegistrationAllowed: false,
      keyRestrictions: { aaGuids: [YUBIKEY_5.toUpperCase(), YUBIKEY_5] },
    });
    expect(next.isSelfServiceRegistrationAllowed).toBe(false);
    expect(next.keyRestrictions).toEqual({ isEnforced: false, enforcementType: 'block', aaGuids: [YUBIKEY_5] });
  });

  it('mirrors a legacy change to the default profile', () => {
    const next = applyPolicyPatch(defaultFido2Policy(), { isAttestationEnforced: true, keyRestrictions: allowList });
    expect(next.passkeyProfiles[0]).toMatchObject({
      attestationEnforcement: 'registrationOnly',
      keyRestrictions: allowList,
    });
  });

  it('mirrors a new default profile to the legacy settings', () => {
    const next = applyPolicyPatch(defaultFido2Policy(), {
      passkeyProfiles: [allowListProfile({ attestationEnforcement: 'registrationOnly' })],
    });
    expect(next.isAttestationEnforced).toBe(true);
    expect(next.keyRestrictions).toEqual(allowList);
  });

  it('spells all_users in lower case, defaults isRegistrationRequired and the allowed profile', () => {
    const next = applyPolicyPatch(defaultFido2Policy(), { includeTargets: [{ targetType: 'group', id: 'ALL_USERS' }] });
    expect(next.includeTargets).toEqual([
      {
        targetType: 'group',
        id: 'all_users',
        isRegistrationRequired: false,
        allowedPasskeyProfiles: [DEFAULT_PASSKEY_PROFILE_ID],
      },
    ]);
  });

  it('keeps only targetType and id of exclude targets', () => {
    const GROUP = 'aaaaaaaa-0000-4000-8000-000000000001';
    const sent = { targetType: 'group' as const, id: GROUP, isRegistrationRequired: true };
    const next = applyPolicyPatch(defaultFido2Policy(), { excludeTargets: [sent] });
    expect(next.excludeTargets).toEqual([{ targetType: 'group', id: GROUP }]);
  });
});

describe('referencedGroupIds', () => {
  it('lists every target group once, without all_users', () => {
    const policy = applyPolicyPatch(defaultFido2Policy(), {
      includeTargets: [
        { targetType: 'group', id: 'all_users' },
        { targetType: 'group', id: 'g1' },
      ],
      excludeTargets: [
        { targetType: 'group', id: 'g2' },
        { targetType: 'group', id: 'g1' },
      ],
    });
    expect(referencedGroupIds(policy)).toEqual(['g1', 'g2']);
  });
});
