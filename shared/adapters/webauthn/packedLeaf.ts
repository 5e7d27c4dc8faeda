import type { KeyObject } from 'node:crypto';
import { subjectPublicKeyBits, tbsParts } from './attestationCertificate';
import { certificateId, parseCertificate } from './certificateCache';
import { children, contents, readTlv, type Tlv } from './der';

/** What WebAuthn §8.2.1 checks of a packed attestation leaf, read once from its DER. */
export interface PackedLeaf {
  /** The subject's C, O, OU and CN (the first attribute of each RDN, the last RDN naming a type wins). */
  subject: { C?: string; O?: string; OU?: string; CN?: string };
  /** The version field's value: 2 for X.509 v3, 0 when the field is absent (v1). */
  version: number;
  basicConstraintsCA: boolean;
  /** Validity period, ms since the epoch. */
  notBefore: number;
  notAfter: number;
  /** The 16 bytes of the id-fido-gen-ce-aaguid extension (1.3.6.1.4.1.45724.1.1.4); undefined when absent. */
  aaguid: Uint8Array | undefined;
  /** The leaf's P-256 public key (an uncompressed point), for node:crypto's verify. */
  publicKey: KeyObject;
}

/** OIDs (DER contents) of the subject attributes read, and of the extensions. */
const SUBJECT_ATTRIBUTES = new Map<string, 'C' | 'O' | 'OU' | 'CN'>([
  ['550406', 'C'],
  ['55040a', 'O'],
  ['55040b', 'OU'],
  ['550403', 'CN'],
]);
const BASIC_CONSTRAINTS_OID = '551d13';
const AAGUID_OID = '2b0601040182e51c010104';

/**
 * SubjectPublicKeyInfo SEQUENCE, AlgorithmIdentifier { id-ecPublicKey (1.2.840.10045.2.1),
 * prime256v1 (1.2.840.10045.3.1.7) }, then the BIT STRING of a 65-byte point (RFC 5480).
 */
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');
const startsWith = (bytes: Uint8Array, prefix: Buffer) =>
  bytes.length >= prefix.length && prefix.equals(bytes.subarray(0, prefix.length));

/** Thrown for a certificate this reader does not take on (the caller leaves it to SimpleWebAuthn). */
class NotUnderstood extends Error {}

/** PrintableString, UTF8String (ASCII only) and IA5String: the forms whose text reads the same in every decoder. */
function attributeText(der: Uint8Array, value: Tlv): string {
  const bytes = contents(der, value);
  if (value.tag === 0x13 || value.tag === 0x16 || (value.tag === 0x0c && bytes.every((b) => b < 0x80)))
    return Buffer.from(bytes).toString('latin1');
  throw new NotUnderstood(`subject attribute of tag 0x${value.tag.toString(16)}`);
}

function subjectOf(der: Uint8Array, subject: Tlv): PackedLeaf['subject'] {
  const out: PackedLeaf['subject'] = {};
  for (const rdn of children(der, subject)) {
    const [first] = rdn.tag === 0x31 ? children(der, rdn) : [];
    if (first?.tag !== 0x30) throw new NotUnderstood('an empty or malformed RDN');
    const [type, value] = children(der, first);
    if (type?.tag !== 0x06 || !value) throw new NotUnderstood('a malformed attribute');
    const key = SUBJECT_ATTRIBUTES.get(Buffer.from(contents(der, type)).toString('hex'));
    if (key) out[key] = attributeText(der, value);
  }
  return out;
}

/** UTCTime `YYMMDDHHMMSSZ` (RFC 5280 §4.1.2.5.1: YY < 50 is 20YY) or GeneralizedTime `YYYYMMDDHHMMSSZ`. */
function timeOf(der: Uint8Array, time: Tlv): number {
  const text = Buffer.from(contents(der, time)).toString('latin1');
  const utc = time.tag === 0x17 && /^\d{12}Z$/.test(text);
  if (!utc && !(time.tag === 0x18 && /^\d{14}Z$/.test(text))) throw new NotUnderstood(`time ${text}`);
  const digits = utc ? (Number(text.slice(0, 2)) >= 50 ? '19' : '20') + text : text;
  const n = (from: number, to: number) => Number(digits.slice(from, to));
  return Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14));
}

/** BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL }. */
function isCa(value: Uint8Array): boolean {
  const sequence = readTlv(value, 0);
  if (sequence.tag !== 0x30 || sequence.end !== value.length) throw new NotUnderstood('basic constraints');
  const [first] = children(value, sequence);
  if (first === undefined || first.tag === 0x02) return false; // cA absent: DEFAULT FALSE
  if (first.tag !== 0x01) throw new NotUnderstood('basic constraints');
  const flag = contents(value, first);
  if (flag.length !== 1 || (flag[0] !== 0x00 && flag[0] !== 0xff)) throw new NotUnderstood('a BOOLEAN that is not DER');
  return flag[0] === 0xff;
}

/** An OBJECT IDENTIFIER's contents: non-empty, its last subidentifier byte without the continuation bit. */
function assertOid(der: Uint8Array, oid: Tlv | undefined): void {
  if (oid?.tag !== 0x06 || oid.end === oid.start || der[oid.end - 1] & 0x80) throw new NotUnderstood('an OID');
}

/** Name ::= SEQUENCE OF SET OF SEQUENCE { OID, value } (RFC 5280 §4.1.2.4), every set non-empty. */
function assertName(der: Uint8Array, name: Tlv | undefined): void {
  if (name?.tag !== 0x30) throw new NotUnderstood('a Name');
  for (const rdn of children(der, name)) {
    const attributes = rdn.tag === 0x31 ? children(der, rdn) : [];
    if (attributes.length === 0) throw new NotUnderstood('an RDN');
    for (const attribute of attributes) {
      const parts = attribute.tag === 0x30 ? children(der, attribute) : [];
      if (parts.length !== 2) throw new NotUnderstood('an attribute');
      assertOid(der, parts[0]);
    }
  }
}

/** AlgorithmIdentifier ::= SEQUENCE { OID, parameters ANY OPTIONAL }. */
function assertAlgorithm(der: Uint8Array, algorithm: Tlv | undefined): void {
  const parts = algorithm?.tag === 0x30 ? children(der, algorithm) : [];
  if (parts.length < 1 || parts.length > 2) throw new NotUnderstood('an AlgorithmIdentifier');
  assertOid(der, parts[0]);
}

/**
 * The whole certificate has the shape RFC 5280 §4.1 gives it, tag by tag (what SimpleWebAuthn's
 * ASN.1 schema parse requires of it, issuer and signature included; OpenSSL is more lenient):
 * a certificate this does not recognise is left to SimpleWebAuthn.
 */
function assertCertificateShape(der: Uint8Array): void {
  const certificate = readTlv(der, 0);
  const top = certificate.tag === 0x30 && certificate.end === der.length ? children(der, certificate) : [];
  const [tbs, signatureAlgorithm, signature] = top;
  if (top.length !== 3 || tbs.tag !== 0x30 || signature.tag !== 0x03) throw new NotUnderstood('a Certificate');
  assertAlgorithm(der, signatureAlgorithm);
  const fields = children(der, tbs);
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, algorithm, issuer, validity, subject, spki, ...rest] = fields.slice(at);
  if (serial?.tag !== 0x02 || serial.end === serial.start) throw new NotUnderstood('a serial number');
  assertAlgorithm(der, algorithm);
  assertName(der, issuer);
  const times = validity?.tag === 0x30 ? children(der, validity) : [];
  if (times.length !== 2) throw new NotUnderstood('a Validity');
  assertName(der, subject);
  const key = spki?.tag === 0x30 ? children(der, spki) : [];
  if (key.length !== 2 || key[1].tag !== 0x03) throw new NotUnderstood('a SubjectPublicKeyInfo');
  assertAlgorithm(der, key[0]);
  // [1] issuerUniqueID, [2] subjectUniqueID, [3] extensions, in that order, each at most once.
  let last = 0;
  for (const field of rest) {
    const order = ({ 0x81: 1, 0xa1: 1, 0x82: 2, 0xa2: 2, 0xa3: 3 } as Record<number, number>)[field.tag];
    if (!order || order <= last) throw new NotUnderstood('a field after the key');
    last = order;
  }
  for (const extension of parsedExtensions(
    der,
    rest.find((f) => f.tag === 0xa3),
  )) {
    const parts = children(der, extension);
    assertOid(der, parts[0]);
    if (parts.length === 3 && (parts[1].tag !== 0x01 || parts[1].end - parts[1].start !== 1))
      throw new NotUnderstood('a critical flag');
  }
}

/** The Extension SEQUENCEs inside [3] { SEQUENCE OF Extension }. */
function parsedExtensions(der: Uint8Array, wrapper: Tlv | undefined): Tlv[] {
  if (!wrapper) return [];
  const inner = children(der, wrapper);
  if (inner.length !== 1 || inner[0].tag !== 0x30) throw new NotUnderstood('extensions');
  return children(der, inner[0]);
}

function parsePackedLeaf(der: Uint8Array, id: string): PackedLeaf | undefined {
  try {
    const certificate = parseCertificate(der, id);
    if (!certificate) return undefined;
    assertCertificateShape(der);
    const parts = tbsParts(der);
    const point = subjectPublicKeyBits(parts.spki);
    // SimpleWebAuthn reads uncompressed P-256 points only; any other key stays on its path. (The
    // algorithm is read in the DER: asking the KeyObject for its details costs more than the parse.)
    if (!startsWith(parts.spki, P256_SPKI_PREFIX) || point.length !== 65 || point[0] !== 0x04) return undefined;
    const publicKey = certificate.publicKey;
    const version = parts.version ? children(der, parts.version) : [];
    if (parts.version && (version.length !== 1 || version[0].tag !== 0x02 || version[0].end - version[0].start !== 1))
      return undefined;
    const [notBefore, notAfter] = children(der, parts.validity);
    let basicConstraintsCA = false;
    let aaguid: Uint8Array | undefined;
    let aaguidSeen = false;
    for (const { oid, value } of parts.extensions) {
      const id = oid.toString('hex');
      if (id === BASIC_CONSTRAINTS_OID) basicConstraintsCA = isCa(value);
      if (id === AAGUID_OID && !aaguidSeen) {
        // extnValue: an OCTET STRING of the 16 AAGUID bytes (FIDO, id-fido-gen-ce-aaguid).
        if (value.length !== 18 || value[0] !== 0x04 || value[1] !== 0x10) return undefined;
        aaguid = value.subarray(2);
        aaguidSeen = true;
      }
    }
    return {
      subject: subjectOf(der, parts.subject),
      version: parts.version ? der[version[0].start] : 0,
      basicConstraintsCA,
      notBefore: timeOf(der, notBefore),
      notAfter: timeOf(der, notAfter),
      aaguid,
      publicKey,
    };
  } catch {
    return undefined; // not a certificate, or one this reader does not take on
  }
}

/** Leaves read, by SHA-256 of their DER: a batch of keys shares one attestation certificate. */
const CACHE_LEAVES = 1024;
const leaves = new Map<string, PackedLeaf | null>();

/**
 * Reads a packed attestation leaf (cached per DER, bounded, least recently used first out);
 * undefined for a certificate it does not take on (not P-256 with an uncompressed point, text or
 * times in forms it does not read, a malformed AAGUID extension...), which the caller leaves to
 * SimpleWebAuthn. Only facts are cached: the validity period is judged by the caller at each use.
 */
export function readPackedLeaf(der: Uint8Array): PackedLeaf | undefined {
  const key = certificateId(der);
  let leaf = leaves.get(key);
  if (leaf === undefined) {
    leaf = parsePackedLeaf(der, key) ?? null;
    if (leaf) Object.freeze(leaf.subject);
    if (leaves.size >= CACHE_LEAVES) leaves.delete(leaves.keys().next().value!);
  } else leaves.delete(key); // re-inserted below: most recently used last
  leaves.set(key, leaf && Object.freeze(leaf));
  return leaf ?? undefined;
}
