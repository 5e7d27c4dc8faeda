import { passkeyTypeOf } from '../../domain/policy/evaluatePolicy';
import { StoredCredential } from '../../ports/credentials.port';

/** Graph's `fido2AuthenticationMethod`, plus `passkeyType` from the (self-reported) backup-eligible flag. */
export interface Fido2AuthenticationMethod {
  '@odata.type': '#microsoft.graph.fido2AuthenticationMethod';
  id: string;
  displayName: string;
  createdDateTime: string;
  aaGuid: string;
  model: string | null;
  attestationCertificates: string[];
  attestationLevel: 'attested' | 'notAttested';
  passkeyType: 'deviceBound' | 'synced';
  lastUsedDateTime: string | null;
  reEnrolmentRequired: boolean;
}

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
