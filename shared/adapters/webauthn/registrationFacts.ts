import { decodeAttestationObject, isoBase64URL } from '@simplewebauthn/server/helpers';

/** What a verified registration yields, however it was verified (node:crypto or SimpleWebAuthn). */
export interface RegistrationFacts {
  credentialId: string;
  /** The COSE credential public key, as in the authenticator data. */
  credentialPublicKey: Uint8Array;
  counter: number;
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
  /**
   * The attestation statement verified. A statement that does not (bad structure, leaf refused)
   * proves nothing, exactly like `none`: the registration goes on as not attested.
   */
  statementVerified: boolean;
}

/**
 * base64url to bytes, the bytes SimpleWebAuthn's `isoBase64URL.toBuffer` reads: with Buffer's
 * decoder (half the time) for the unpadded alphabet at a length that is whole bytes, with
 * SimpleWebAuthn's for anything else (padding, stray characters).
 */
export function base64urlBytes(text: string): Uint8Array<ArrayBuffer> {
  return /^[A-Za-z0-9_-]*$/.test(text) && text.length % 4 !== 1
    ? new Uint8Array(Buffer.from(text, 'base64url'))
    : isoBase64URL.toBuffer(text);
}

/** An attestation object decoded once per verify: its raw parts, and the x5c certificates (DER, leaf first). */
export interface DecodedAttestation {
  /** The format as sent, or `unknown` when it is not a string. */
  fmt: string;
  attStmt: unknown;
  authData: unknown;
  /** x5c as sent, the entries that are byte strings (empty for none and self attestation). */
  x5c: Uint8Array[];
}

/** Decodes a base64url attestation object (as SimpleWebAuthn reads it); undefined when it is not a CBOR map. */
export function decodeAttestation(attestationObject: string): DecodedAttestation | undefined {
  let decoded: unknown;
  try {
    decoded = decodeAttestationObject(base64urlBytes(attestationObject));
  } catch {
    return undefined;
  }
  // The client's CBOR: it may not be a map, and attStmt may be missing or not a map at all.
  if (!(decoded instanceof Map)) return undefined;
  const fmt: unknown = decoded.get('fmt');
  const attStmt: unknown = decoded.get('attStmt');
  const x5c: unknown = attStmt instanceof Map ? attStmt.get('x5c') : undefined;
  return {
    fmt: typeof fmt === 'string' ? fmt : 'unknown',
    attStmt,
    authData: decoded.get('authData'),
    x5c: Array.isArray(x5c) ? x5c.filter((c: unknown): c is Uint8Array => c instanceof Uint8Array) : [],
  };
}
