import { encodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import type { KeyObject } from 'node:crypto';
import { COSE_ALGORITHM, algorithmOfKey, signData } from './credentialKey';
import type { AttestationCertificate } from './testCa';

/** Attestation statement the soft authenticator produces. */
export type SoftAttestation = 'none' | 'packed-self' | 'packed-x5c';

/**
 * Builds the CBOR attestation object `{ fmt, attStmt, authData }` (WebAuthn §6.5).
 * `packed-self` signs with the credential key; `packed-x5c` signs with the attestation leaf key
 * and puts only the leaf into `x5c` (the root is the trust anchor, never sent).
 */
export function encodeAttestationObject(input: {
  attestation: SoftAttestation;
  authData: Uint8Array;
  clientDataHash: Uint8Array;
  credentialPrivateKey: KeyObject;
  attestationCertificate?: AttestationCertificate;
}): Uint8Array {
  const { attestation, authData, clientDataHash } = input;
  const signedData = Buffer.concat([authData, clientDataHash]);
  const attStmt = new Map<string, CBORType>();
  if (attestation === 'packed-self') {
    const key = input.credentialPrivateKey;
    attStmt.set('alg', COSE_ALGORITHM[algorithmOfKey(key)]).set('sig', signData(key, signedData));
  } else if (attestation === 'packed-x5c') {
    if (!input.attestationCertificate) throw new Error('packed-x5c attestation needs an attestation certificate');
    const { certificate, privateKey } = input.attestationCertificate;
    attStmt
      .set('alg', COSE_ALGORITHM[algorithmOfKey(privateKey)])
      .set('sig', signData(privateKey, signedData))
      .set('x5c', [certificate]);
  }
  const fmt = attestation === 'none' ? 'none' : 'packed';
  return encodeCBOR(new Map<string, CBORType>([['fmt', fmt], ['attStmt', attStmt], ['authData', authData]]));
}
