import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { AttestationTrustReason } from '../domain/webauthn/attestationTrust';

export type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
};

export interface CredentialDescriptor {
  id: string;
  transports?: string[];
}

export interface RegistrationOptionsInput {
  rpId: string;
  rpName: string;
  userHandle: string;
  userName: string;
  userDisplayName: string;
  challenge: string;
  timeoutMs: number;
  excludeCredentials: CredentialDescriptor[];
  authenticatorAttachment?: 'platform' | 'cross-platform';
  residentKey?: 'discouraged' | 'preferred' | 'required';
}

export interface ExpectedCeremony {
  challenge: string;
  origins: string[];
  rpId: string;
}

/** What a registration must show; user presence is required unless `requireUserPresence` is false. */
export interface ExpectedRegistration extends ExpectedCeremony {
  /** False only for conditional create (WebAuthn L3: an automatic upgrade may come back with UP=0). */
  requireUserPresence?: boolean;
}

/** A verified registration: the facts the service stores and the policy judges. */
export interface VerifiedRegistration {
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
  aaGuid: string;
  attestationFormat: string;
  /**
   * True only on a positive trust decision: the x5c chain reaches a root of the metadata statement
   * matched for this model (by AAGUID; fido-u2f by key identifier) or a configured root.
   */
  attested: boolean;
  /** Why the attestation was or was not trusted (for logs and audits). */
  attestationTrust?: AttestationTrustReason;
  attestationCertificates: string[];
  backupEligible: boolean;
  backedUp: boolean;
}

export interface VerifiedAuthentication {
  newSignCount: number;
  backedUp: boolean;
  userHandle?: string;
}

/** WebAuthn option generation and response verification (SimpleWebAuthn), with attestation trust. */
export interface WebAuthnPort {
  registrationOptions(input: RegistrationOptionsInput): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /**
   * Verifies a registration, user verification required. An attestation that is not trusted
   * (see {@link VerifiedRegistration.attested}) yields `attested: false` rather than an error; the policy decides.
   */
  verifyRegistration(response: RegistrationResponseJSON, expected: ExpectedRegistration): Promise<VerifiedRegistration>;
  authenticationOptions(input: {
    rpId: string;
    challenge: string;
    timeoutMs: number;
    allowCredentials: CredentialDescriptor[];
  }): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /** Verifies an assertion signature, user verification required. Counter checks are the caller's. */
  verifyAuthentication(
    response: AuthenticationResponseJSON,
    expected: ExpectedCeremony & { credential: { id: string; publicKey: string; transports: string[] } },
  ): Promise<VerifiedAuthentication>;
  /** A display name for an AAGUID: the metadata statement's description, else a well-known list. */
  modelOf(aaGuid: string): Promise<string | null>;
}
