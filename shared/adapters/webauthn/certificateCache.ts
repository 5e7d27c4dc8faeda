import { createHash, X509Certificate } from 'node:crypto';

/** How many parsed certificates are kept; beyond that the least recently used is forgotten. */
const CACHE_CERTIFICATES = 1024;
const parsed = new Map<string, X509Certificate | null>();

/** The SHA-256 of a certificate's DER (hex): the key every certificate cache of this adapter uses. */
export const certificateId = (der: Uint8Array): string => createHash('sha256').update(der).digest('hex');

/**
 * The certificate OpenSSL reads from `der`, or undefined when it is not one; parsed once per DER
 * (OpenSSL's parse costs more than a signature check), remembered in a bounded LRU so a batch
 * attestation leaf shared by many keys, and its chain, are parsed once for the leaf facts, the
 * packed statement and the chain check together. Nothing time-dependent is cached here.
 */
export function parseCertificate(der: Uint8Array, id: string = certificateId(der)): X509Certificate | undefined {
  let certificate = parsed.get(id);
  if (certificate === undefined) {
    try {
      certificate = new X509Certificate(der);
    } catch {
      certificate = null;
    }
    if (parsed.size >= CACHE_CERTIFICATES) parsed.delete(parsed.keys().next().value!);
  } else parsed.delete(id); // re-inserted below: most recently used last
  parsed.set(id, certificate);
  return certificate ?? undefined;
}
