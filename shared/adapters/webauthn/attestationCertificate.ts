import { createHash } from 'node:crypto';
import type { CertificateAaguid } from '../../domain/webauthn/attestationTrust';
import { certificateId, parseCertificate } from './certificateCache';
import { children, readTlv, type Tlv } from './der';

/** What the trust rule needs from an attestation leaf certificate. */
export interface LeafFacts {
  certificateAaguid: CertificateAaguid;
  /** Hex SHA-1 of the subjectPublicKey bits: the key identifier MDS lists for U2F models. */
  keyIdentifier?: string;
}

/**
 * The BIT STRING contents of SubjectPublicKeyInfo (without tag, length and unused-bits byte): what
 * FIDO MDS hashes for attestationCertificateKeyIdentifiers (RFC 5280 §4.2.1.2 method 1).
 */
export function subjectPublicKeyBits(spki: Uint8Array): Uint8Array {
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
  const key = certificateId(der);
  const known = leaves.get(key);
  if (known) return known;
  const parsed = parseLeafFacts(der, key);
  Object.freeze(parsed.certificateAaguid);
  const facts = Object.freeze(parsed);
  leaves.set(key, facts);
  if (leaves.size > CACHE_LEAVES) leaves.delete(leaves.keys().next().value!);
  return facts;
}

/** OID of the FIDO `id-fido-gen-ce-aaguid` certificate extension, 1.3.6.1.4.1.45724.1.1.4 (DER contents). */
const AAGUID_OID = Buffer.from('2b0601040182e51c010104', 'hex');

/** What {@link tbsParts} finds in a certificate. */
export interface TbsParts {
  /** The explicit [0] version field, undefined when absent (X.509 v1). */
  version: Tlv | undefined;
  validity: Tlv;
  subject: Tlv;
  /** The whole SubjectPublicKeyInfo DER. */
  spki: Uint8Array;
  /** Extensions in certificate order: OID contents, extnValue contents. */
  extensions: Array<{ oid: Buffer; value: Buffer }>;
}

/**
 * The parts of a certificate's tbsCertificate, walked in its DER (RFC 5280 §4.1):
 * Certificate → tbsCertificate → [version] serial signature issuer validity subject spki … [3] extensions.
 */
export function tbsParts(der: Uint8Array): TbsParts {
  const certificate = readTlv(der, 0);
  if (certificate.tag !== 0x30 || certificate.end !== der.length) throw new Error('not a certificate');
  const tbs = children(der, certificate)[0];
  if (tbs?.tag !== 0x30) throw new Error('not a TBSCertificate');
  const fields = children(der, tbs);
  const offset = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [validity, subject, spki] = [fields[offset + 3], fields[offset + 4], fields[offset + 5]];
  if (spki?.tag !== 0x30) throw new Error('no SubjectPublicKeyInfo');
  if (validity?.tag !== 0x30 || subject?.tag !== 0x30) throw new Error('malformed validity or subject');
  const extensions: Array<{ oid: Buffer; value: Buffer }> = [];
  const wrapper = fields.slice(offset + 6).find((f) => f.tag === 0xa3);
  if (wrapper) {
    const [list] = children(der, wrapper);
    if (list?.tag !== 0x30) throw new Error('malformed extensions');
    for (const extension of children(der, list)) {
      const parts = children(der, extension);
      const value = parts[parts.length - 1];
      if (extension.tag !== 0x30 || parts[0]?.tag !== 0x06 || value?.tag !== 0x04 || parts.length > 3)
        throw new Error('malformed extension');
      extensions.push({
        oid: Buffer.from(der.subarray(parts[0].start, parts[0].end)),
        value: Buffer.from(der.subarray(value.start, value.end)),
      });
    }
  }
  return {
    version: offset === 1 ? fields[0] : undefined,
    validity,
    subject,
    spki: der.subarray(spki.offset, spki.end),
    extensions,
  };
}

function parseLeafFacts(der: Uint8Array, id: string): LeafFacts {
  let parts: ReturnType<typeof tbsParts>;
  try {
    // OpenSSL must accept it as a certificate; the walk then reads what OpenSSL does not expose.
    if (!parseCertificate(der, id)) throw new Error('not a certificate');
    parts = tbsParts(der);
  } catch {
    return { certificateAaguid: { kind: 'malformed' } };
  }
  let keyIdentifier: string | undefined;
  try {
    keyIdentifier = createHash('sha1').update(subjectPublicKeyBits(parts.spki)).digest('hex');
  } catch {
    keyIdentifier = undefined;
  }
  const extension = parts.extensions.find((e) => e.oid.equals(AAGUID_OID));
  if (!extension) return { certificateAaguid: { kind: 'absent' }, keyIdentifier };
  const value = extension.value;
  if (value.length !== 18 || value[0] !== 0x04 || value[1] !== 0x10)
    return { certificateAaguid: { kind: 'malformed' }, keyIdentifier };
  const hex = value.subarray(2).toString('hex');
  const aaguid = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { certificateAaguid: { kind: 'present', aaguid }, keyIdentifier };
}
