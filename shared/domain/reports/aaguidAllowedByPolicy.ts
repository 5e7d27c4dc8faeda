import { Fido2KeyRestrictions, Fido2Policy } from '../policy/fido2Policy';

const admits = (restrictions: Fido2KeyRestrictions, aaGuid: string): boolean => {
  if (!restrictions.isEnforced) return true;
  const listed = restrictions.aaGuids.some((a) => a.toLowerCase() === aaGuid.toLowerCase());
  return restrictions.enforcementType === 'allow' ? listed : !listed;
};

/**
 * Whether the current policy lets passkeys of this AAGUID sign in: the method is enabled and the key
 * restrictions of at least one passkey profile admit the AAGUID (a profile accepting the passkey is
 * enough at sign-in, evaluatePolicy.ts). Targeting and passkey types depend on the user and the
 * passkey, not on the model, so they are not part of this answer.
 */
export function aaguidAllowedByPolicy(policy: Fido2Policy, aaGuid: string): boolean {
  if (policy.state !== 'enabled') return false;
  const profiles =
    policy.passkeyProfiles.length > 0 ? policy.passkeyProfiles : [{ keyRestrictions: policy.keyRestrictions }];
  return profiles.some((p) => admits(p.keyRestrictions, aaGuid));
}
