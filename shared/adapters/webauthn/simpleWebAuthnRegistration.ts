import { RegistrationResponseJSON, verifyRegistrationResponse } from '@simplewebauthn/server';
import { decodeAttestationObject, isoCBOR } from '@simplewebauthn/server/helpers';
import type { RegistrationFacts } from './registrationFacts';

/** A value isoCBOR can encode (the library's CBOR type, not re-exported under a name). */
type CborValue = Parameters<typeof isoCBOR.encode>[0];

/** Re-encodes an attestation object as fmt `none`: used to register without trusting the statement. */
function withoutAttestation(response: RegistrationResponseJSON): RegistrationResponseJSON {
  const decoded = decodeAttestationObject(Buffer.from(response.response.attestationObject, 'base64url'));
  const none = new Map<string, CborValue>([
    ['fmt', 'none'],
    ['attStmt', new Map<string, CborValue>()],
    ['authData', decoded.get('authData')],
  ]);
  const attestationObject = Buffer.from(isoCBOR.encode(none)).toString('base64url');
  return { ...response, response: { ...response.response, attestationObject } };
}

/** The ceremony's expectations, as SimpleWebAuthn takes them. */
export interface RegistrationExpectations {
  expectedChallenge: string;
  expectedOrigin: string[];
  expectedRPID: string;
  requireUserPresence: boolean;
  requireUserVerification: true;
  supportedAlgorithmIDs: number[];
}

/**
 * Verifies a registration with SimpleWebAuthn's `verifyRegistrationResponse`: every format, the
 * path for what {@link RegistrationVerifier} does not take on. A statement that does not verify
 * (bad signature structure, malformed certificate, AAGUID extension mismatch) proves nothing,
 * exactly like `none`: the response is verified again as `none` and registers as not attested
 * (issue 8 §1); a well-formed statement whose signature is false is refused.
 *
 * @throws Error with SimpleWebAuthn's message when the ceremony does not verify.
 */
export async function verifyWithSimpleWebAuthn(
  response: RegistrationResponseJSON,
  expectations: RegistrationExpectations,
): Promise<RegistrationFacts> {
  let verified;
  let statementVerified = true;
  try {
    verified = await verifyRegistrationResponse({ ...expectations, response });
  } catch {
    verified = await verifyRegistrationResponse({ ...expectations, response: withoutAttestation(response) });
    statementVerified = false;
  }
  if (!verified.verified) throw new Error('verification returned false');
  const info = verified.registrationInfo;
  return {
    credentialId: info.credential.id,
    credentialPublicKey: info.credential.publicKey,
    counter: info.credential.counter,
    aaguid: info.aaguid,
    backupEligible: info.credentialDeviceType === 'multiDevice',
    backedUp: info.credentialBackedUp,
    statementVerified,
  };
}
