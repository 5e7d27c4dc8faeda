import { createHash } from 'node:crypto';

/** The authenticator data flag bits a test may want to control. */
export interface AuthenticatorFlags {
  /** User Present (bit 0). */
  up: boolean;
  /** User Verified (bit 2). */
  uv: boolean;
  /** Backup Eligible (bit 3): `true` makes the credential a multi-device (synced) passkey. */
  be: boolean;
  /** Backup State (bit 4): the credential is currently backed up. */
  bs: boolean;
}

/** The attested credential data section written during registration. */
export interface AttestedCredentialData {
  aaguid: Uint8Array;
  credentialId: Uint8Array;
  cosePublicKey: Uint8Array;
}

/**
 * Builds authenticator data (WebAuthn §6.1): rpIdHash | flags | signCount | [attested credential data].
 * The AT flag is set exactly when `attestedCredentialData` is given; no extensions are ever emitted.
 */
export function encodeAuthenticatorData(input: {
  rpId: string;
  flags: AuthenticatorFlags;
  signCount: number;
  attestedCredentialData?: AttestedCredentialData;
}): Uint8Array {
  const { rpId, flags, signCount, attestedCredentialData: acd } = input;
  const flagsByte =
    (flags.up ? 0x01 : 0) | (flags.uv ? 0x04 : 0) | (flags.be ? 0x08 : 0) | (flags.bs ? 0x10 : 0) | (acd ? 0x40 : 0);
  const head = Buffer.alloc(37);
  createHash('sha256').update(rpId).digest().copy(head, 0);
  head.writeUInt8(flagsByte, 32);
  head.writeUInt32BE(signCount, 33);
  if (!acd) return new Uint8Array(head);
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(acd.credentialId.length);
  return new Uint8Array(Buffer.concat([head, acd.aaguid, idLength, acd.credentialId, acd.cosePublicKey]));
}
