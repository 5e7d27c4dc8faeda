import { exportJWK, generateKeyPair, importJWK, JWK, KeyLike } from 'jose';
import { randomBytes, createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseServerSecret } from '../../config';

export interface SigningKey {
  kid: string;
  privateKey: KeyLike | Uint8Array;
  publicJwk: JWK;
}

/**
 * Writes `content` only if the file does not exist yet, so the host and the token CLI racing to
 * create a key agree on one (the loser reads the winner's file).
 */
function createOnce(file: string, make: () => string): string {
  try {
    writeFileSync(file, make(), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  return readFileSync(file, 'utf8');
}

/** The ES256 key this installation signs tokens with, created on first use under `dataDir/keys`. */
export async function loadOrCreateSigningKey(dataDir: string, configuredJwk?: string): Promise<SigningKey> {
  let privateJwk: JWK;
  if (configuredJwk) {
    privateJwk = JSON.parse(configuredJwk) as JWK;
  } else {
    const dir = join(dataDir, 'keys');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const fresh = await exportJWK(privateKey);
    privateJwk = JSON.parse(createOnce(join(dir, 'signing-key.json'), () => JSON.stringify(fresh))) as JWK;
  }
  const { d: _d, ...publicJwk } = privateJwk;
  const kid = privateJwk.kid ?? createHash('sha256').update(`${publicJwk.x}.${publicJwk.y}`).digest('base64url').slice(0, 16);
  return {
    kid,
    privateKey: await importJWK({ ...privateJwk, alg: 'ES256' }, 'ES256'),
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
  };
}

/** A 32-byte server secret (challenge sealing, pseudo-random credential ids), created on first use. */
export function loadOrCreateServerSecret(dataDir: string, configured?: string): Buffer {
  if (configured) return parseServerSecret(configured);
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return Buffer.from(createOnce(join(dir, 'server-secret'), () => randomBytes(32).toString('base64')).trim(), 'base64');
}
