import { RegistrationResponseJSON } from '@simplewebauthn/server';
import {
  cose,
  decodeClientDataJSON,
  decodeCredentialPublicKey,
  isoBase64URL,
  parseAuthenticatorData,
} from '@simplewebauthn/server/helpers';
import { createHash } from 'node:crypto';
import type { AssertionVerifier } from './assertionVerifier';
import { StatementOutcome, verifyPackedStatement } from './packedStatement';
import { base64urlBytes, type DecodedAttestation, type RegistrationFacts } from './registrationFacts';
import type { RegistrationExpectations } from './simpleWebAuthnRegistration';
import { assertCredentialIdAndType, RpIdHashes } from './ceremonyChecks';

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest();

/** A COSE EC2 key on P-256 with 32-byte coordinates. */
function isP256Key(coseKey: ReturnType<typeof decodeCredentialPublicKey>): boolean {
  if (!cose.isCOSEPublicKeyEC2(coseKey) || coseKey.get(cose.COSEKEYS.crv) !== cose.COSECRV.P256) return false;
  const x = coseKey.get(cose.COSEKEYS.x);
  const y = coseKey.get(cose.COSEKEYS.y);
  return x instanceof Uint8Array && y instanceof Uint8Array && x.length === 32 && y.length === 32;
}

/** An AAGUID as SimpleWebAuthn's convertAAGUIDToString writes it (8-4-4-4-12 lower-case hex), without its per-byte loop. */
export function aaguidString(aaguid: Uint8Array): string {
  const hex = Buffer.from(aaguid).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Verifies registrations in `none` and packed ES256 (x5c or self) attestation as SimpleWebAuthn's
 * `verifyRegistrationResponse` does — the same checks, in the same order, with the same messages
 * (credential id and type, client data type, challenge, origin, token binding, rpIdHash, UP and UV,
 * attested credential data, the key's algorithm, the statement, the backup flags) — but
 * synchronously with node:crypto: SimpleWebAuthn hashes and verifies through WebCrypto on the
 * thread pool, imports the leaf's key on every call and parses the leaf three times in JavaScript
 * (issue 10's registration profile). A statement that does not verify makes the registration not
 * attested, as SimpleWebAuthnAdapter's retry as `none` does; a signature that is false refuses it.
 *
 * @returns undefined for what it does not take on (other formats, other algorithms, certificates
 *   or signatures in forms it does not read): the caller then verifies with SimpleWebAuthn.
 * @throws Error with SimpleWebAuthn's message at the first ceremony check that fails.
 */
export class RegistrationVerifier {
  private readonly rpIdHashes = new RpIdHashes();

  /** `assertions` imports the credential key of a self attestation (kept for its first sign-in). */
  constructor(private readonly assertions: AssertionVerifier) {}

  async verify(
    response: RegistrationResponseJSON,
    expected: RegistrationExpectations,
    attestation: DecodedAttestation,
  ): Promise<RegistrationFacts | undefined> {
    const { fmt, attStmt } = attestation;
    if (
      (fmt !== 'packed' && fmt !== 'none') ||
      !(attStmt instanceof Map) ||
      !(attestation.authData instanceof Uint8Array)
    )
      return undefined;
    const authData = new Uint8Array(attestation.authData);
    const { id, rawId, type: credentialType, response: attestationResponse } = response;
    assertCredentialIdAndType(id, rawId, credentialType);
    const clientDataJSON = decodeClientDataJSON(attestationResponse.clientDataJSON);
    const { type, origin, challenge, tokenBinding } = clientDataJSON;
    if (type !== 'webauthn.create') throw new Error(`Unexpected registration response type: ${type}`);
    if (challenge !== expected.expectedChallenge)
      throw new Error(
        `Unexpected registration response challenge "${challenge}", expected "${expected.expectedChallenge}"`,
      );
    if (!expected.expectedOrigin.includes(origin))
      throw new Error(
        `Unexpected registration response origin "${origin}", expected one of: ${expected.expectedOrigin.join(', ')}`,
      );
    if (tokenBinding) {
      if (typeof tokenBinding !== 'object')
        throw new Error(`Unexpected value for TokenBinding "${String(tokenBinding)}"`);
      if (!['present', 'supported', 'not-supported'].includes(tokenBinding.status))
        throw new Error(`Unexpected tokenBinding.status value of "${String(tokenBinding.status)}"`);
    }
    const parsed = parseAuthenticatorData(authData);
    const { aaguid, rpIdHash, flags, credentialID, counter, credentialPublicKey } = parsed;
    if (!this.rpIdHashes.of(expected.expectedRPID).equals(Buffer.from(rpIdHash)))
      throw new Error('Unexpected RP ID hash');
    if (expected.requireUserPresence && !flags.up)
      throw new Error('User presence was required, but user was not present');
    if (expected.requireUserVerification && !flags.uv)
      throw new Error('User verification was required, but user could not be verified');
    if (!credentialID) throw new Error('No credential ID was provided by authenticator');
    if (!credentialPublicKey) throw new Error('No public key was provided by authenticator');
    if (!aaguid) throw new Error('No AAGUID was present during registration');
    const coseKey = decodeCredentialPublicKey(credentialPublicKey);
    if (!(coseKey instanceof Map)) return undefined; // CBOR that is not a COSE map: SimpleWebAuthn words that error
    const keyAlg = coseKey.get(cose.COSEKEYS.alg);
    if (typeof keyAlg !== 'number') throw new Error('Credential public key was missing numeric alg');
    if (!expected.supportedAlgorithmIDs.includes(keyAlg))
      throw new Error(
        `Unexpected public key alg "${keyAlg}", expected one of "${expected.supportedAlgorithmIDs.join(', ')}"`,
      );
    let outcome: StatementOutcome;
    if (fmt === 'none') outcome = attStmt.size > 0 ? 'notVerified' : 'verified';
    else {
      const clientDataHash = sha256(base64urlBytes(attestationResponse.clientDataJSON));
      const publicKey = Buffer.from(credentialPublicKey).toString('base64url');
      outcome = await verifyPackedStatement({
        attStmt,
        authData,
        clientDataHash,
        aaguid,
        now: Date.now(),
        // Only an ES256 key on P-256 (EC2, crv 1, 32-byte coordinates) is verified here, as SimpleWebAuthn's
        // EC2 path would; any other key stays on its path.
        credentialKey: () => (isP256Key(coseKey) ? this.assertions.importedKey(publicKey)?.key : undefined),
      });
    }
    if (outcome === 'unsupported') return undefined;
    if (outcome === 'signatureFalse') throw new Error('verification returned false');
    if (flags.bs && !flags.be)
      throw new Error('Single-device credential indicated that it was backed up, which should be impossible.');
    return {
      credentialId: isoBase64URL.fromBuffer(credentialID),
      credentialPublicKey,
      counter,
      aaguid: aaguidString(aaguid),
      backupEligible: flags.be,
      backedUp: flags.bs,
      statementVerified: outcome === 'verified',
    };
  }
}
