import { AuthenticationStrength } from './authenticationStrength';

/** What a passkey sign-in brings to a strength: one `fido2` authentication with this AAGUID. */
export interface Fido2SignIn {
  aaGuid: string;
}

export type StrengthVerdict =
  { satisfied: true } | { satisfied: false; reason: 'fido2NotAllowed' | 'aaguidNotAllowed'; message: string };

/**
 * Whether a passkey sign-in satisfies a strength. This service performs exactly one method, so only
 * the single-mode combination `fido2` can be met (`x509CertificateSingleFactor,fido2` needs both);
 * every fido2 combination configuration must then allow the passkey's AAGUID (Entra: "the
 * authenticator's AAGUID must be in the allowed list").
 */
export function satisfiesStrength(strength: AuthenticationStrength, signIn: Fido2SignIn): StrengthVerdict {
  if (!strength.allowedCombinations.includes('fido2'))
    return {
      satisfied: false,
      reason: 'fido2NotAllowed',
      message: `The authentication strength '${strength.displayName}' (${strength.id}) does not allow a passkey (FIDO2) sign-in on its own; its allowed combinations are: ${strength.allowedCombinations.join('; ')}.`,
    };
  const aaGuid = signIn.aaGuid.toLowerCase();
  const refusing = strength.combinationConfigurations.find(
    (c) => c.appliesToCombinations.includes('fido2') && !c.allowedAAGUIDs.some((a) => a.toLowerCase() === aaGuid),
  );
  if (refusing)
    return {
      satisfied: false,
      reason: 'aaguidNotAllowed',
      message: `The authentication strength '${strength.displayName}' (${strength.id}) does not allow passkeys of this model (AAGUID ${aaGuid}); it allows: ${refusing.allowedAAGUIDs.join(', ')}.`,
    };
  return { satisfied: true };
}
