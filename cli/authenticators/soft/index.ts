/** The software authenticator: the provisioning station's `soft` authenticator, and the tests' browser + key. */
export { aaguidToBytes } from './aaguid';
export type { SoftAttestation } from './attestation';
export type { AuthenticatorFlags } from './authenticatorData';
export type { CollectedClientData } from './clientData';
export { COSE_ALGORITHM, type SoftAlgorithm } from './credentialKey';
export { createMetadataStatement } from './metadataStatement';
export {
  SoftAuthenticator,
  type CeremonyOptions,
  type CreateCredentialOptions,
  type GetAssertionOptions,
  type SoftAuthenticatorOptions,
} from './softAuthenticator';
export type { SerializedSoftCredential, SoftCredential } from './softCredential';
export {
  ID_FIDO_GEN_CE_AAGUID,
  TestAttestationCa,
  type AttestationCertificate,
  type AttestationSubject,
  type IssueAttestationCertificateOptions,
  type TestAttestationCaOptions,
} from './testCa';
