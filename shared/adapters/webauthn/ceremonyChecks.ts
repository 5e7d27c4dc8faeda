import { createHash } from 'node:crypto';

/**
 * The checks registration and sign-in verification share, worded as SimpleWebAuthn words them (both
 * verifiers are held to its answers by differential tests).
 */

/** The credential's id, raw id and type, as both ceremonies check them first. */
export function assertCredentialIdAndType(id: string, rawId: string, type: unknown): void {
  if (!id) throw new Error('Missing credential ID');
  if (id !== rawId) throw new Error('Credential ID was not base64url-encoded');
  if (type !== 'public-key') throw new Error(`Unexpected credential type ${String(type)}, expected "public-key"`);
}

/** SHA-256 of each RP ID, computed once: a service has one or a few, and every ceremony compares against it. */
export class RpIdHashes {
  private readonly hashes = new Map<string, Buffer>();

  of(rpId: string): Buffer {
    let hash = this.hashes.get(rpId);
    if (!hash) {
      hash = createHash('sha256').update(rpId, 'ascii').digest();
      this.hashes.set(rpId, hash);
    }
    return hash;
  }
}
