import { applyPolicyPatch } from './applyPolicyPatch';
import { defaultFido2Policy, DEFAULT_PASSKEY_PROFILE_ID, PasskeyProfile } from './fido2Policy';

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

const allowList = { isEnforced: true, enforcementType: 'allow', aaGuids: [YUBIKEY_5] };

describe('applyPolicyPatch: legacy settings and the default profile in one PATCH', () => {
  it.each([
    ['isAttestationEnforced: false', false, 'disabled'],
    ['isAttestationEnforced: true', true, 'registrationOnly'],
  ] as const)('attack: a new default-profile allow list sent with %s is kept, not dropped', (_title, isAttestationEnforced, attestationEnforcement) => {
    const next = applyPolicyPatch(defaultFido2Policy(), { passkeyProfiles: [allowListProfile()], isAttestationEnforced });
    expect(next.keyRestrictions).toEqual(allowList);
    expect(next.passkeyProfiles[0].keyRestrictions).toEqual(allowList);
    expect(next.isAttestationEnforced).toBe(isAttestationEnforced);
    expect(next.passkeyProfiles[0].attestationEnforcement).toBe(attestationEnforcement);
  });

  it('attack: a partial legacy keyRestrictions merges onto the new default profile, not onto the old legacy list', () => {
    const next = applyPolicyPatch(defaultFido2Policy(), {
      passkeyProfiles: [allowListProfile({ keyRestrictions: { isEnforced: false, enforcementType: 'allow', aaGuids: [YUBIKEY_5] } })],
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
