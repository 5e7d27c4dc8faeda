import { X509Certificate } from 'node:crypto';
import type { ChainVerdict } from '../../domain/webauthn/attestationTrust';

/** Longest x5c we walk: real attestations carry a leaf and at most a couple of intermediates. */
const MAX_CHAIN = 8;

/** Parses DER certificates; `undefined` when any of them is not a certificate. */
export function parseCertificates(ders: readonly Uint8Array[]): X509Certificate[] | undefined {
  try {
    return ders.map((der) => new X509Certificate(der));
  } catch {
    return undefined;
  }
}

const issues = (issuer: X509Certificate, subject: X509Certificate) =>
  subject.checkIssued(issuer) && subject.verify(issuer.publicKey);

const withinValidity = (cert: X509Certificate, now: Date) =>
  new Date(cert.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(cert.validTo).getTime();

/**
 * Checks an attestation x5c (leaf first, each next certificate issuing the previous one, as
 * WebAuthn §8 orders it) against trust anchors: every link's issuer name and signature, every
 * intermediate a CA, the last certificate issued by an anchor (or being one, byte for byte; an
 * anchor is trusted by configuration, so it need not carry the CA flag), and
 * every certificate of the path, anchor included, valid at `now`. Offline: no revocation fetches.
 *
 * @returns `verified`, `expired` (a path to an anchor exists but a certificate on it is outside
 *   its validity period) or `untrusted` (no path to any anchor).
 */
export function verifyCertificateChain(
  x5c: readonly Uint8Array[],
  anchors: readonly X509Certificate[],
  now: Date,
): ChainVerdict {
  const chain = x5c.length > 0 && x5c.length <= MAX_CHAIN ? parseCertificates(x5c) : undefined;
  if (!chain || anchors.length === 0) return 'untrusted';
  for (let i = 1; i < chain.length; i++) {
    if (!chain[i].ca || !issues(chain[i], chain[i - 1])) return 'untrusted';
  }
  const last = chain[chain.length - 1];
  const ends = anchors.filter((anchor) => anchor.raw.equals(last.raw) || issues(anchor, last));
  if (ends.length === 0) return 'untrusted';
  const chainValid = chain.every((cert) => withinValidity(cert, now));
  return chainValid && ends.some((anchor) => withinValidity(anchor, now)) ? 'verified' : 'expired';
}
