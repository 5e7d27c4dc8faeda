import { MetadataService, SettingsService } from '@simplewebauthn/server';
import { cose } from '@simplewebauthn/server/helpers';
import { KeyObject, verify } from 'node:crypto';
import { readPackedLeaf } from './packedLeaf';

/**
 * How a packed statement fared: `verified`; `notVerified` (a check failed, the statement proves
 * nothing); `signatureFalse` (well-formed but the signature does not verify, which SimpleWebAuthn
 * answers with `verified: false`); `unsupported` (a form this verifier does not take on: the
 * caller leaves the whole registration to SimpleWebAuthn).
 */
export type StatementOutcome = 'verified' | 'notVerified' | 'signatureFalse' | 'unsupported';

export interface PackedStatementInput {
  attStmt: Map<unknown, unknown>;
  authData: Uint8Array;
  clientDataHash: Uint8Array;
  /** The AAGUID bytes of the attested credential data. */
  aaguid: Uint8Array;
  /**
   * The credential's own key, for self attestation: undefined when it is not an ES256 P-256 key
   * (left to SimpleWebAuthn); throws when the key does not import (the statement proves nothing).
   */
  credentialKey: () => KeyObject | undefined;
  /** The time the leaf must be valid at, ms since the epoch (SimpleWebAuthn reads the system clock). */
  now: number;
}

/**
 * A DER ECDSA signature in canonical form: SEQUENCE { INTEGER r, INTEGER s }, each positive and
 * minimally encoded, at most 33 bytes (P-256), nothing after. For these, node:crypto's DER verify
 * and SimpleWebAuthn's unwrap-then-WebCrypto verify judge the same r and s; anything else is left
 * to SimpleWebAuthn.
 */
export function isCanonicalP256Signature(sig: Uint8Array): boolean {
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return false;
  let at = 2;
  for (let i = 0; i < 2; i++) {
    const length = sig[at + 1];
    if (sig[at] !== 0x02 || length === undefined || length === 0 || length > 33 || at + 2 + length > sig.length)
      return false;
    const first = sig[at + 2];
    if (first & 0x80) return false; // negative
    if (first === 0 && length > 1 && !(sig[at + 3] & 0x80)) return false; // a leading zero that is not needed
    if (length === 33 && first !== 0) return false;
    at += 2 + length;
  }
  return at === sig.length;
}

/** SimpleWebAuthn's isCOSEAlg (the values of its COSEALG enum), read once instead of at every call. */
const COSE_ALGORITHMS: ReadonlySet<unknown> = new Set(Object.values(cose.COSEALG));

const equalBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

const checkSignature = (sig: Uint8Array, signed: Uint8Array, key: KeyObject): StatementOutcome =>
  !isCanonicalP256Signature(sig) ? 'unsupported' : verify('sha256', signed, key, sig) ? 'verified' : 'signatureFalse';

/**
 * Verifies a packed attestation statement (WebAuthn §8.2) with ES256 — x5c (full attestation,
 * the leaf checked as §8.2.1 asks) or self attestation — synchronously with node:crypto, making
 * the decisions SimpleWebAuthn's `verifyAttestationPacked` makes, in its order: sig and a COSE alg
 * present; for x5c the leaf's subject (OU "Authenticator Attestation", CN, O, a two-letter C),
 * basicConstraints CA false, version 3, validity at `now`, the AAGUID extension equal to the
 * authenticator data's; then the signature over authData || clientDataHash. The leaf is read once
 * per certificate (readPackedLeaf); its dates are judged here on every call.
 */
export async function verifyPackedStatement(input: PackedStatementInput): Promise<StatementOutcome> {
  const { attStmt } = input;
  const sig: unknown = attStmt.get('sig');
  const x5c: unknown = attStmt.get('x5c');
  const alg: unknown = attStmt.get('alg');
  if (!sig || !alg) return 'notVerified';
  if (typeof alg !== 'number' || !(sig instanceof Uint8Array)) return 'unsupported';
  if (!COSE_ALGORITHMS.has(alg)) return 'notVerified';
  if (alg !== cose.COSEALG.ES256) return 'unsupported';
  const signed = Buffer.concat([input.authData, input.clientDataHash]);
  if (!x5c) {
    let key: KeyObject | undefined;
    try {
      key = input.credentialKey();
    } catch {
      return 'notVerified';
    }
    return key ? checkSignature(sig, signed, key) : 'unsupported';
  }
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((c): c is Uint8Array => c instanceof Uint8Array))
    return 'unsupported';
  const leaf = readPackedLeaf(x5c[0]);
  if (!leaf) return 'unsupported';
  const { OU, CN, O, C } = leaf.subject;
  if (OU !== 'Authenticator Attestation' || !CN || !O || !C || C.length !== 2) return 'notVerified';
  if (leaf.basicConstraintsCA || leaf.version !== 2) return 'notVerified';
  if (leaf.notBefore > input.now || leaf.notAfter < input.now) return 'notVerified';
  if (leaf.aaguid && !equalBytes(leaf.aaguid, input.aaguid)) return 'notVerified';
  // SimpleWebAuthn then consults its MetadataService and its packed roots; this adapter keeps both
  // empty (trust is decided by decideAttestationTrust). Should either hold something, its path decides.
  try {
    if (await MetadataService.getStatement(input.aaguid)) return 'unsupported';
  } catch {
    return 'notVerified'; // a strict MetadataService refusing the AAGUID, as SimpleWebAuthn would
  }
  if (SettingsService.getRootCertificates({ identifier: 'packed' }).length > 0) return 'unsupported';
  return checkSignature(sig, signed, leaf.publicKey);
}
