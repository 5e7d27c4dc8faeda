import type { MetadataStatement } from '@simplewebauthn/server';
import type { TestAttestationCa } from './testCa';

/**
 * Builds a FIDO MDS3 metadata statement for a test authenticator model whose attestation chains to `ca`,
 * suitable for `MetadataService.initialize({ mdsServers: [], statements: [statement], verificationMode: 'strict' })`.
 * Declares `basic_full` attestation, ES256 + EdDSA, UV by PIN. `overrides` replace top-level members
 * (e.g. another `attestationRootCertificates` to simulate an untrusted root).
 */
export function createMetadataStatement(
  aaguid: string,
  ca: TestAttestationCa,
  overrides: Partial<MetadataStatement> = {},
): MetadataStatement {
  return {
    legalHeader: 'Test-only metadata statement; not issued by the FIDO Alliance.',
    aaguid,
    description: 'Contoso Test Key',
    authenticatorVersion: 1,
    protocolFamily: 'fido2',
    schema: 3,
    upv: [{ major: 1, minor: 0 }, { major: 1, minor: 1 }],
    authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw', 'ed25519_eddsa_sha512_raw'],
    publicKeyAlgAndEncodings: ['cose'],
    attestationTypes: ['basic_full'],
    userVerificationDetails: [[{ userVerificationMethod: 'passcode_external' }], [{ userVerificationMethod: 'presence_internal' }]],
    keyProtection: ['hardware', 'secure_element'],
    matcherProtection: ['on_chip'],
    cryptoStrength: 128,
    attachmentHint: ['external', 'wired'],
    tcDisplay: [],
    attestationRootCertificates: [ca.certificateBase64],
    authenticatorGetInfo: {
      versions: ['FIDO_2_0'],
      aaguid: aaguid.replace(/-/g, ''),
      options: { rk: true, up: true, uv: true, clientPin: true },
      algorithms: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -8 }],
    },
    ...overrides,
  };
}
