/**
 * The FIDO2 (passkey) authentication method policy, in Microsoft Graph's
 * `fido2AuthenticationMethodConfiguration` shape. Pure data and defaults; no I/O.
 */
export const ALL_USERS_TARGET = 'all_users';
export const DEFAULT_PASSKEY_PROFILE_ID = '00000000-0000-0000-0000-000000000001';

export type PolicyState = 'enabled' | 'disabled';
export type KeyRestrictionEnforcementType = 'allow' | 'block';
export type PasskeyType = 'deviceBound' | 'synced';
export type AttestationEnforcement = 'disabled' | 'registrationOnly';

export interface Fido2KeyRestrictions {
  isEnforced: boolean;
  enforcementType: KeyRestrictionEnforcementType;
  aaGuids: string[];
}

export interface IncludeTarget {
  targetType: 'group';
  /** `all_users` or a security group id. */
  id: string;
  isRegistrationRequired: boolean;
  allowedPasskeyProfiles: string[];
}

export interface ExcludeTarget {
  targetType: 'group';
  id: string;
}

export interface PasskeyProfile {
  id: string;
  name: string;
  /** Graph serialises this flag enum as a comma-separated string: `deviceBound,synced`. */
  passkeyTypes: PasskeyType[];
  attestationEnforcement: AttestationEnforcement;
  keyRestrictions: Fido2KeyRestrictions;
}

export interface Fido2Policy {
  id: 'Fido2';
  state: PolicyState;
  isSelfServiceRegistrationAllowed: boolean;
  isAttestationEnforced: boolean;
  keyRestrictions: Fido2KeyRestrictions;
  includeTargets: IncludeTarget[];
  excludeTargets: ExcludeTarget[];
  passkeyProfiles: PasskeyProfile[];
  defaultPasskeyProfile: string;
}

/** The policy of a new Entra tenant: disabled, self-service allowed, nothing enforced, all users. */
export function defaultFido2Policy(): Fido2Policy {
  const keyRestrictions: Fido2KeyRestrictions = { isEnforced: false, enforcementType: 'block', aaGuids: [] };
  return {
    id: 'Fido2',
    state: 'disabled',
    isSelfServiceRegistrationAllowed: true,
    isAttestationEnforced: false,
    keyRestrictions,
    includeTargets: [
      {
        targetType: 'group',
        id: ALL_USERS_TARGET,
        isRegistrationRequired: false,
        allowedPasskeyProfiles: [DEFAULT_PASSKEY_PROFILE_ID],
      },
    ],
    excludeTargets: [],
    passkeyProfiles: [
      {
        id: DEFAULT_PASSKEY_PROFILE_ID,
        name: 'Default passkey profile',
        passkeyTypes: ['deviceBound', 'synced'],
        attestationEnforcement: 'disabled',
        keyRestrictions: { ...keyRestrictions, aaGuids: [] },
      },
    ],
    defaultPasskeyProfile: DEFAULT_PASSKEY_PROFILE_ID,
  };
}
