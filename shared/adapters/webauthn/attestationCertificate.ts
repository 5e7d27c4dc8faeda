import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { createHash } from 'node:crypto';
import type { CertificateAaguid } from '../../domain/webauthn/attestationTrust';

/** OID of the FIDO `id-fido-gen-ce-aaguid` certificate extension. */
const ID_FIDO_GEN_CE_AAGUID = '1.3.6.1.4.1.45724.1.1.4';

/** What the trust rule needs from an attestation leaf certificate. */
export interface LeafFacts {
  certificateAaguid: CertificateAaguid;
  /** Hex SHA-1 of the subjectPublicKey bits: the key identifier MDS lists for U2F models. */
  keyIdentifier?: string;
}

/** Reads one DER TLV at `offset`: its tag, where its contents start and where it ends. */
function readTlv(der: Uint8Array, offset: number): { tag: number; start: number; end: number } {
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error(`unsupported DER length form 0x${length.toString(16)}`);
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
    start += bytes;
  }
  if (tag === undefined || start + length > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + length };
}

/**
 * The BIT STRING contents of SubjectPublicKeyInfo (without tag, length and unused-bits byte): what
 * FIDO MDS hashes for attestationCertificateKeyIdentifiers (RFC 5280 §4.2.1.2 method 1).
 */
function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
  const outer = readTlv(spki, 0);
  const algorithm = readTlv(spki, outer.start);
  const bits = readTlv(spki, algorithm.end);
  if (outer.tag !== 0x30 || bits.tag !== 0x03) throw new Error('not a SubjectPublicKeyInfo');
  return spki.subarray(bits.start + 1, bits.end);
}

/** Leaf certificates read, by SHA-256 of their DER: a bulk job's keys often share one batch certificate. */
const CACHE_LEAVES = 1024;
const leaves = new Map<string, LeafFacts>();

/** The leaf's AAGUID extension (an OCTET STRING of 16 bytes) and its key identifier (remembered per DER, bounded). */
export function readLeafFacts(der: Uint8Array): LeafFacts {
  const key = createHash('sha256').update(der).digest('hex');
  const known = leaves.get(key);
  if (known) return known;
  const parsed = parseLeafFacts(der);
  Object.freeze(parsed.certificateAaguid);
  const facts = Object.freeze(parsed);
  leaves.set(key, facts);
  if (leaves.size > CACHE_LEAVES) leaves.delete(leaves.keys().next().value!);
  return facts;
}

function parseLeafFacts(der: Uint8Array): LeafFacts {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch {
    return { certificateAaguid: { kind: 'malformed' } };
  }
  let keyIdentifier: string | undefined;
  try {
    keyIdentifier = createHash('sha1')
      .update(subjectPublicKeyBits(new Uint8Array(cert.publicKey.rawData)))
      .digest('hex');
  } catch {
    keyIdentifier = undefined;
  }
  const extension = cert.getExtension(ID_FIDO_GEN_CE_AAGUID);
  if (!extension) return { certificateAaguid: { kind: 'absent' }, keyIdentifier };
  const value = Buffer.from(extension.value);
  if (value.length !== 18 || value[0] !== 0x04 || value[1] !== 0x10)
    return { certificateAaguid: { kind: 'malformed' }, keyIdentifier };
  const hex = value.subarray(2).toString('hex');
  const aaguid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { certificateAaguid: { kind: 'present', aaguid }, keyIdentifier };
}
