import { X509Certificate, createHash } from 'node:crypto';
import { parseCertificate } from './certificateCache';
import type { ChainVerdict } from '../../domain/webauthn/attestationTrust';

/** Longest x5c we walk: real attestations carry a leaf and at most a couple of intermediates. */
const MAX_CHAIN = 8;

/** Parses DER certificates (through the shared cache); `undefined` when any of them is not a certificate. */
export function parseCertificates(ders: readonly Uint8Array[]): X509Certificate[] | undefined {
  const certificates: X509Certificate[] = [];
  for (const der of ders) {
    const certificate = parseCertificate(der);
    if (!certificate) return undefined;
    certificates.push(certificate);
  }
  return certificates;
}

const issues = (issuer: X509Certificate, subject: X509Certificate) =>
  subject.checkIssued(issuer) && subject.verify(issuer.publicKey);

/** Validity period of a certificate, in ms since the epoch. */
interface Window {
  from: number;
  to: number;
}

/** What a chain check found, apart from the time: no path, or a path and the validity periods on it. */
type ChainShape = 'untrusted' | { chain: Window[]; ends: Window[] };

const windowOf = (cert: X509Certificate): Window => ({
  from: new Date(cert.validFrom).getTime(),
  to: new Date(cert.validTo).getTime(),
});
const within = (w: Window, now: Date) => w.from <= now.getTime() && now.getTime() <= w.to;

function chainShape(x5c: readonly Uint8Array[], anchors: readonly X509Certificate[]): ChainShape {
  const chain = x5c.length > 0 && x5c.length <= MAX_CHAIN ? parseCertificates(x5c) : undefined;
  if (!chain || anchors.length === 0) return 'untrusted';
  for (let i = 1; i < chain.length; i++) {
    if (!chain[i].ca || !issues(chain[i], chain[i - 1])) return 'untrusted';
  }
  const last = chain[chain.length - 1];
  const ends = anchors.filter((anchor) => anchor.raw.equals(last.raw) || issues(anchor, last));
  if (ends.length === 0) return 'untrusted';
  return { chain: chain.map(windowOf), ends: ends.map(windowOf) };
}

/** Chains checked per anchor list, so a bulk job whose keys share a batch certificate checks it once. */
const CACHE_CHAINS = 1024;
const shapes = new WeakMap<readonly X509Certificate[], Map<string, ChainShape>>();

const chainKey = (x5c: readonly Uint8Array[]) => {
  const hash = createHash('sha256');
  for (const der of x5c) hash.update(createHash('sha256').update(der).digest());
  return hash.digest('hex');
};

function cachedChainShape(x5c: readonly Uint8Array[], anchors: readonly X509Certificate[]): ChainShape {
  if (x5c.length === 0 || x5c.length > MAX_CHAIN || anchors.length === 0) return 'untrusted';
  let cache = shapes.get(anchors);
  if (!cache) shapes.set(anchors, (cache = new Map()));
  const key = chainKey(x5c);
  let shape = cache.get(key);
  if (shape === undefined) {
    shape = chainShape(x5c, anchors);
    cache.set(key, shape);
    if (cache.size > CACHE_CHAINS) cache.delete(cache.keys().next().value!);
  }
  return shape;
}

/**
 * Checks an attestation x5c (leaf first, each next certificate issuing the previous one, as
 * WebAuthn §8 orders it) against trust anchors: every link's issuer name and signature, every
 * intermediate a CA, the last certificate issued by an anchor (or being one, byte for byte; an
 * anchor is trusted by configuration, so it need not carry the CA flag), and
 * every certificate of the path, anchor included, valid at `now`. Offline: no revocation fetches.
 * The path found (by the certificates' SHA-256 and the anchor list) is remembered in a bounded
 * cache; validity is judged against `now` on every call.
 *
 * @returns `verified`, `expired` (a path to an anchor exists but a certificate on it is outside
 *   its validity period) or `untrusted` (no path to any anchor).
 */
export function verifyCertificateChain(
  x5c: readonly Uint8Array[],
  anchors: readonly X509Certificate[],
  now: Date,
): ChainVerdict {
  const shape = cachedChainShape(x5c, anchors);
  if (shape === 'untrusted') return 'untrusted';
  const chainValid = shape.chain.every((w) => within(w, now));
  return chainValid && shape.ends.some((w) => within(w, now)) ? 'verified' : 'expired';
}
