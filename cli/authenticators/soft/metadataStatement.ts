import type { MetadataStatement } from '@simplewebauthn/server';
import { createHash, createPublicKey } from 'node:crypto';
import type { AttestationCertificate, TestAttestationCa } from './testCa';

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
    upv: [
      { major: 1, minor: 0 },
      { major: 1, minor: 1 },
    ],
    authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw', 'ed25519_eddsa_sha512_raw'],
    publicKeyAlgAndEncodings: ['cose'],
    attestationTypes: ['basic_full'],
    userVerificationDetails: [
      [{ userVerificationMethod: 'passcode_external' }],
      [{ userVerificationMethod: 'presence_internal' }],
    ],
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
      algorithms: [
        { type: 'public-key', alg: -7 },
        { type: 'public-key', alg: -8 },
      ],
    },
    ...overrides,
  };
}

/**
 * The key identifier FIDO MDS lists for U2F models (`attestationCertificateKeyIdentifiers`): hex
 * SHA-1 of the leaf's subjectPublicKey bits, here the uncompressed P-256 point 0x04 | x | y.
 */
export function attestationKeyIdentifier(attestationCertificate: AttestationCertificate): string {
  const jwk = createPublicKey(attestationCertificate.privateKey).export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  return createHash('sha1').update(point).digest('hex');
}

/**
 * A metadata statement for a U2F model: no AAGUID, identified by the key identifiers of its
 * attestation certificates, roots from `ca`. `overrides` replace top-level members.
 */
export function createU2fMetadataStatement(
  keyIdentifiers: string[],
  ca: TestAttestationCa,
  overrides: Partial<MetadataStatement> = {},
): MetadataStatement {
  const {
    aaguid: _aaguid,
    authenticatorGetInfo: _getInfo,
    ...common
  } = createMetadataStatement('00000000-0000-0000-0000-000000000000', ca);
  return {
    ...common,
    description: 'Contoso Test U2F Key',
    protocolFamily: 'u2f',
    upv: [{ major: 1, minor: 1 }],
    authenticationAlgorithms: ['secp256r1_ecdsa_sha256_raw'],
    publicKeyAlgAndEncodings: ['ecc_x962_raw'],
    userVerificationDetails: [[{ userVerificationMethod: 'presence_internal' }]],
    attestationCertificateKeyIdentifiers: keyIdentifiers,
    ...overrides,
  };
}

/** An MDS3 status report, e.g. `{ status: 'REVOKED', effectiveDate: '2026-01-01' }`. */
export interface TestStatusReport {
  status: string;
  effectiveDate?: string;
}

/**
 * An MDS3 BLOB payload entry (`{entries: [...]}` is what FIDO_MDS_PATH accepts with status reports):
 * the statement with its identifiers lifted to the entry, and the given status reports
 * (default one `FIDO_CERTIFIED_L1`).
 */
export function createMetadataEntry(
  statement: MetadataStatement,
  statusReports: TestStatusReport[] = [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2025-01-01' }],
) {
  return {
    ...(statement.aaguid ? { aaguid: statement.aaguid } : {}),
    ...(statement.attestationCertificateKeyIdentifiers
      ? { attestationCertificateKeyIdentifiers: statement.attestationCertificateKeyIdentifiers }
      : {}),
    metadataStatement: statement,
    statusReports,
    timeOfLastStatusChange: statusReports.at(-1)?.effectiveDate ?? '2025-01-01',
  };
}
