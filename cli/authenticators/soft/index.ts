/** The software authenticator: the provisioning station's `soft` authenticator, and the tests' browser + key. */
export { aaguidToBytes } from './aaguid';
export type { SoftAttestation } from './attestation';
export type { AuthenticatorFlags } from './authenticatorData';
export type { CollectedClientData } from './clientData';
export { COSE_ALGORITHM, type SoftAlgorithm } from './credentialKey';
export {
  attestationKeyIdentifier,
  createMetadataEntry,
  createMetadataStatement,
  createU2fMetadataStatement,
  type TestStatusReport,
} from './metadataStatement';
export {
  SoftAuthenticator,
  type CeremonyOptions,
  type CreateCredentialOptions,
  type GetAssertionOptions,
  type SoftAuthenticatorOptions,
} from './softAuthenticator';
export type { SerializedSoftCredential, SoftCredential } from './softCredential';
export {
  createSelfSignedAttestationCertificate,
  ID_FIDO_GEN_CE_AAGUID,
  TestAttestationCa,
  type AttestationCertificate,
  type AttestationSubject,
  type IssueAttestationCertificateOptions,
  type TestAttestationCaOptions,
} from './testCa';
