import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { algorithmOfKey, encodeCosePublicKey, type SoftAlgorithm } from './credentialKey';

/** A credential held by a {@link SoftAuthenticator}. */
export interface SoftCredential {
  /** Credential ID, base64url. */
  id: string;
  rpId: string;
  /** `user.id` from the creation options (base64url), returned as `userHandle` for discoverable credentials. */
  userHandle: string;
  /** `user.name` from the creation options. */
  userName: string;
  /** Resident (discoverable) credential: usable with an empty `allowCredentials`. */
  discoverable: boolean;
  algorithm: SoftAlgorithm;
  /** Last signature counter value emitted. */
  signCount: number;
  privateKey: KeyObject;
  /** COSE_Key encoding of the public key, as stored by a relying party. */
  publicKey: Uint8Array;
}

/** JSON-safe form of a {@link SoftCredential} (private key as base64url PKCS#8 DER), e.g. for a CLI to persist. */
export type SerializedSoftCredential = Omit<SoftCredential, 'privateKey' | 'publicKey' | 'algorithm'> & {
  privateKeyPkcs8: string;
};

/** Converts a credential to its JSON-safe form. */
export function serializeCredential(credential: SoftCredential): SerializedSoftCredential {
  const { privateKey, publicKey: _publicKey, algorithm: _algorithm, ...rest } = credential;
  return { ...rest, privateKeyPkcs8: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url') };
}

/** Rebuilds a credential (public key and algorithm derived from the private key) from its JSON-safe form. */
export function deserializeCredential(serialized: SerializedSoftCredential): SoftCredential {
  const { privateKeyPkcs8, ...rest } = serialized;
  const privateKey = createPrivateKey({ key: Buffer.from(privateKeyPkcs8, 'base64url'), format: 'der', type: 'pkcs8' });
  return {
    ...rest,
    privateKey,
    algorithm: algorithmOfKey(privateKey),
    publicKey: encodeCosePublicKey(createPublicKey(privateKey)),
  };
}
