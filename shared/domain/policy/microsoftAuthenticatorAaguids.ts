import { applyPolicyPatch } from './applyPolicyPatch';
import { Fido2Policy } from './fido2Policy';

/** Microsoft Authenticator's passkey AAGUIDs (Entra: "Microsoft Authenticator" in key restrictions). */
export const MICROSOFT_AUTHENTICATOR_AAGUIDS = {
  iOS: '90a3ccdf-635c-4729-a248-9b709135078f',
  android: 'de1e552d-db1d-4423-a619-566b625cdc84',
} as const;

const AUTHENTICATOR = new Set<string>(Object.values(MICROSOFT_AUTHENTICATOR_AAGUIDS));

/**
 * `addMicrosoftAuthenticatorAaguids`: `true` lets Microsoft Authenticator's passkeys through the
 * tenant's key restrictions (added to an allow list, taken off a block list), `false` keeps them out
 * (taken off an allow list, added to a block list). Applied as a keyRestrictions PATCH, so the
 * default passkey profile mirrors it as for any other key-restriction edit.
 */
export function withMicrosoftAuthenticatorAaguids(policy: Fido2Policy, allowed: boolean): Fido2Policy {
  const { enforcementType, aaGuids } = policy.keyRestrictions;
  const listed = enforcementType === 'allow' ? allowed : !allowed;
  const others = aaGuids.filter((g) => !AUTHENTICATOR.has(g.toLowerCase()));
  return applyPolicyPatch(policy, { keyRestrictions: { aaGuids: listed ? [...others, ...AUTHENTICATOR] : others } });
}
