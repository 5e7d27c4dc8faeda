import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import type { KeyObject } from 'node:crypto';
import { COSE_ALGORITHM, algorithmOfKey, signData } from './credentialKey';
import type { AttestationCertificate } from './testCa';

/** Attestation statement the soft authenticator produces. */
export type SoftAttestation = 'none' | 'packed-self' | 'packed-x5c' | 'fido-u2f';

/** Offset of the credential ID length in authenticator data: rpIdHash(32) flags(1) signCount(4) aaguid(16). */
const CREDENTIAL_ID_LENGTH_OFFSET = 53;

/** The raw uncompressed P-256 point (0x04 | x | y) that U2F signs over (FIDO U2F raw message formats §4.3). */
function u2fPublicKey(credentialPrivateKey: KeyObject): Uint8Array {
  if (algorithmOfKey(credentialPrivateKey) !== 'ES256')
    throw new Error('fido-u2f attestation needs an ES256 (P-256) credential key');
  const jwk = credentialPrivateKey.export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
}

/** What fido-u2f signs (WebAuthn §8.6): 0x00 | rpIdHash | clientDataHash | credentialId | publicKeyU2F. */
function u2fSignedData(authData: Uint8Array, clientDataHash: Uint8Array, credentialPrivateKey: KeyObject): Buffer {
  const idLength = Buffer.from(authData).readUInt16BE(CREDENTIAL_ID_LENGTH_OFFSET);
  const credentialId = authData.subarray(CREDENTIAL_ID_LENGTH_OFFSET + 2, CREDENTIAL_ID_LENGTH_OFFSET + 2 + idLength);
  return Buffer.concat([
    Buffer.from([0x00]),
    authData.subarray(0, 32),
    clientDataHash,
    credentialId,
    u2fPublicKey(credentialPrivateKey),
  ]);
}

/**
 * Builds the CBOR attestation object `{ fmt, attStmt, authData }` (WebAuthn §6.5).
 * `packed-self` signs with the credential key; `packed-x5c` and `fido-u2f` sign with the
 * attestation leaf key and put the leaf, then any intermediates, into `x5c` (the root is the trust
 * anchor, never sent).
 */
export function encodeAttestationObject(input: {
  attestation: SoftAttestation;
  authData: Uint8Array;
  clientDataHash: Uint8Array;
  credentialPrivateKey: KeyObject;
  attestationCertificate?: AttestationCertificate;
}): Uint8Array {
  const { attestation, authData, clientDataHash } = input;
  const attStmt = new Map<string, CBORType>();
  if (attestation === 'packed-self') {
    const key = input.credentialPrivateKey;
    attStmt
      .set('alg', COSE_ALGORITHM[algorithmOfKey(key)])
      .set('sig', signData(key, Buffer.concat([authData, clientDataHash])));
  } else if (attestation === 'packed-x5c' || attestation === 'fido-u2f') {
    if (!input.attestationCertificate) throw new Error(`${attestation} attestation needs an attestation certificate`);
    const { certificate, privateKey, intermediates = [] } = input.attestationCertificate;
    const x5c = [certificate, ...intermediates];
    if (attestation === 'packed-x5c') {
      attStmt
        .set('alg', COSE_ALGORITHM[algorithmOfKey(privateKey)])
        .set('sig', signData(privateKey, Buffer.concat([authData, clientDataHash])))
        .set('x5c', x5c);
    } else {
      attStmt
        .set('sig', signData(privateKey, u2fSignedData(authData, clientDataHash, input.credentialPrivateKey)))
        .set('x5c', x5c);
    }
  }
  const fmt = attestation === 'none' ? 'none' : attestation === 'fido-u2f' ? 'fido-u2f' : 'packed';
  return encodeCBOR(
    new Map<string, CBORType>([
      ['fmt', fmt],
      ['attStmt', attStmt],
      ['authData', authData],
    ]),
  );
}
