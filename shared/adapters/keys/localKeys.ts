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

/**
 * What a key signs. Sign-in tokens (published at /.well-known/jwks.json for relying parties) and
 * dev admin tokens never share a key: a token of one kind must not verify as the other.
 */
export type SigningKeyPurpose = 'signIn' | 'devAdmin';

const KEY_FILES: Record<SigningKeyPurpose, string> = {
  signIn: 'signing-key.json',
  devAdmin: 'dev-token-signing-key.json',
};

/**
 * The ES256 key this installation signs `purpose` tokens with, created on first use under
 * `dataDir/keys` (a configured JWK, e.g. from Key Vault, serves sign-in tokens only).
 */
export async function loadOrCreateSigningKey(
  dataDir: string,
  configuredJwk?: string,
  purpose: SigningKeyPurpose = 'signIn',
): Promise<SigningKey> {
  let privateJwk: JWK;
  if (configuredJwk && purpose === 'signIn') {
    privateJwk = JSON.parse(configuredJwk) as JWK;
  } else {
    const dir = join(dataDir, 'keys');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const fresh = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    privateJwk = JSON.parse(createOnce(join(dir, KEY_FILES[purpose]), () => JSON.stringify(fresh))) as JWK;
  }
  return fromPrivateJwk(privateJwk);
}

/** A key that lives only in memory: for dev tokens where local tokens are not accepted (they verify nowhere). */
export async function createEphemeralSigningKey(): Promise<SigningKey> {
  return fromPrivateJwk(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey));
}

async function fromPrivateJwk(privateJwk: JWK): Promise<SigningKey> {
  const { d: _d, ...publicJwk } = privateJwk;
  const kid =
    privateJwk.kid ?? createHash('sha256').update(`${publicJwk.x}.${publicJwk.y}`).digest('base64url').slice(0, 16);
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
