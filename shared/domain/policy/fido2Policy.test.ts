import { ALL_USERS_TARGET, DEFAULT_PASSKEY_PROFILE_ID, defaultFido2Policy } from './fido2Policy';

describe("defaultFido2Policy: a new Entra tenant's FIDO2 policy", () => {
  it('is disabled, allows self-service, enforces nothing and targets all users with the default profile', () => {
    expect(defaultFido2Policy()).toMatchObject({
      id: 'Fido2',
      state: 'disabled',
      isSelfServiceRegistrationAllowed: true,
      isAttestationEnforced: false,
      keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
      includeTargets: [
        {
          targetType: 'group',
          id: ALL_USERS_TARGET,
          isRegistrationRequired: false,
          allowedPasskeyProfiles: [DEFAULT_PASSKEY_PROFILE_ID],
        },
      ],
      excludeTargets: [],
      defaultPasskeyProfile: DEFAULT_PASSKEY_PROFILE_ID,
    });
  });

  it('has one default profile that mirrors the legacy settings and allows both passkey types', () => {
    expect(defaultFido2Policy().passkeyProfiles).toEqual([
      {
        id: DEFAULT_PASSKEY_PROFILE_ID,
        name: 'Default passkey profile',
        passkeyTypes: ['deviceBound', 'synced'],
        attestationEnforcement: 'disabled',
        keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
      },
    ]);
  });

  it('hands out a fresh copy each time (a caller changing one changes no other)', () => {
    const first = defaultFido2Policy();
    first.keyRestrictions.aaGuids.push('x');
    first.passkeyProfiles[0].keyRestrictions.aaGuids.push('y');
    expect(defaultFido2Policy().keyRestrictions.aaGuids).toEqual([]);
    expect(defaultFido2Policy().passkeyProfiles[0].keyRestrictions.aaGuids).toEqual([]);
    expect(first.keyRestrictions.aaGuids).toEqual(['x']);
  });
});
