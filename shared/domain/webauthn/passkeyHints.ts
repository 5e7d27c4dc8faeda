import type { PasskeyProfile } from '../policy/fido2Policy';

/** WebAuthn L3 `PublicKeyCredentialHint` values (§5.8.7), in the order the client should offer them. */
export type PasskeyHint = 'security-key' | 'client-device' | 'hybrid';

/**
 * The `hints` of creation options, from the passkey profiles that apply to the user: when every
 * profile allows device-bound passkeys only, a synced passkey (a password manager, a phone's
 * platform authenticator) would be refused at verify, so the browser is steered to a security key;
 * otherwise to this device's authenticator first, then a phone (hybrid). Hints only order the
 * browser's choices: the policy is still enforced at verify.
 */
export function passkeyHintsFor(profiles: readonly Pick<PasskeyProfile, 'passkeyTypes'>[]): PasskeyHint[] {
  const deviceBoundOnly =
    profiles.length > 0 && profiles.every((p) => p.passkeyTypes.length > 0 && !p.passkeyTypes.includes('synced'));
  return deviceBoundOnly ? ['security-key'] : ['client-device', 'hybrid'];
}
