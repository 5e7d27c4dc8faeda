import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { encodeCBOR } from '@levischuck/tiny-cbor';

/** Credential key algorithms the soft authenticator can generate. */
export type SoftAlgorithm = 'ES256' | 'EdDSA';

/** COSE algorithm identifiers (RFC 9053) for each {@link SoftAlgorithm}. */
export const COSE_ALGORITHM: Readonly<Record<SoftAlgorithm, number>> = { ES256: -7, EdDSA: -8 };

/** Generates a fresh credential key pair (P-256 for ES256, Ed25519 for EdDSA). */
export function generateCredentialKeyPair(algorithm: SoftAlgorithm): { privateKey: KeyObject; publicKey: KeyObject } {
  return algorithm === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
}

/** Infers the {@link SoftAlgorithm} of a P-256 or Ed25519 key. */
export function algorithmOfKey(key: KeyObject): SoftAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  throw new Error(`Unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
}

/**
 * Encodes a public key as a CTAP2-canonical COSE_Key (EC2 P-256 with alg -7, or OKP Ed25519 with alg -8).
 */
export function encodeCosePublicKey(publicKey: KeyObject): Uint8Array {
  const algorithm = algorithmOfKey(publicKey);
  const jwk = publicKey.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const coseKey = new Map<number, number | Uint8Array>();
  if (algorithm === 'ES256') {
    coseKey
      .set(1, 2)
      .set(3, COSE_ALGORITHM.ES256)
      .set(-1, 1)
      .set(-2, x)
      .set(-3, Buffer.from(jwk.y ?? '', 'base64url'));
  } else {
    coseKey.set(1, 1).set(3, COSE_ALGORITHM.EdDSA).set(-1, 6).set(-2, x);
  }
  return encodeCBOR(coseKey);
}

/** Signs `data` the WebAuthn way: ES256 as a DER-encoded ECDSA/SHA-256 signature, EdDSA as raw Ed25519. */
export function signData(privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return algorithmOfKey(privateKey) === 'ES256'
    ? sign('sha256', data, { key: privateKey, dsaEncoding: 'der' })
    : sign(null, data, privateKey);
}
