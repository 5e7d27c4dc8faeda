import { passkeyTypeOf } from '../../domain/policy/evaluatePolicy';
import { StoredCredential } from '../../ports/credentials.port';
import type { Fido2AuthenticationMethod } from '../../schemas/webauthn.schema';

export type { Fido2AuthenticationMethod };

/** Graph's `fido2AuthenticationMethod` of a stored credential, plus `passkeyType` from the (self-reported) backup-eligible flag. */
export function toFido2Method(c: StoredCredential): Fido2AuthenticationMethod {
  return {
    '@odata.type': '#microsoft.graph.fido2AuthenticationMethod',
    id: c.id,
    displayName: c.displayName,
    createdDateTime: c.createdDateTime,
    aaGuid: c.aaGuid,
    model: c.model,
    attestationCertificates: c.attestationCertificates,
    attestationLevel: c.attestationLevel,
    passkeyType: passkeyTypeOf(c.backupEligible),
    lastUsedDateTime: c.lastUsedDateTime,
    reEnrolmentRequired: c.reEnrolmentRequired,
  };
}
