import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateServerSecret, loadOrCreateSigningKey } from '../../shared/adapters/keys/localKeys';
import { openSqliteDatabase } from '../../shared/adapters/sqlite/database';
import { loadConfig, parseServerSecret } from '../../shared/config';

const good = randomBytes(32).toString('base64');

describe('SERVER_SECRET is strict base64 of 32 bytes', () => {
  it.each([
    [
      'an unresolved Key Vault reference (attack: weak key from a literal)',
      '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/s)',
    ],
    ['16 bytes', randomBytes(16).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['base64url alphabet', good.replace(/\+/g, '-').replace(/\//g, '_').replace(/=$/, '') + '_'],
    ['missing padding', good.slice(0, 43)],
    ['whitespace inside', `${good.slice(0, 20)} ${good.slice(20)}`],
    ['a passphrase', 'correct horse battery staple correct horse b'],
  ])('refuses to start with %s', (_name, value) => {
    expect(() => loadConfig({ SERVER_SECRET: value }, tmpdir())).toThrow(/SERVER_SECRET must be 32 bytes in base64/);
    expect(() => parseServerSecret(value)).toThrow(/SERVER_SECRET/);
  });

  it('accepts 32 bytes of canonical base64 and uses exactly those bytes', () => {
    expect(loadConfig({ SERVER_SECRET: good }, tmpdir()).serverSecret).toBe(good);
    expect(loadOrCreateServerSecret(tmpdir(), good).equals(Buffer.from(good, 'base64'))).toBe(true);
  });
});

describe('settings with limits', () => {
  it('caps the sign-in token lifetime at one day (Entra maximum)', () => {
    expect(() => loadConfig({ SIGNIN_TOKEN_LIFETIME_SECONDS: '86401' }, tmpdir())).toThrow(/at most 86400/);
    expect(loadConfig({ SIGNIN_TOKEN_LIFETIME_SECONDS: '86400' }, tmpdir()).signInTokenLifetimeSeconds).toBe(86400);
  });

  it('listens on loopback only unless HOST says otherwise', () => {
    expect(loadConfig({}, tmpdir()).listenHosts).toEqual(['127.0.0.1', '::1']);
    expect(loadConfig({ HOST: '0.0.0.0' }, tmpdir()).listenHosts).toEqual(['0.0.0.0']);
  });

  it('defaults: no proxy trust, no rate limit, no private webhook targets', () => {
    const config = loadConfig({}, tmpdir());
    expect(config).toMatchObject({
      trustProxy: false,
      rateLimitPerMinute: 0,
      webhookAllowPrivateNetworks: false,
      allowedAudiences: [],
    });
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' }, tmpdir())).toThrow(/RATE_LIMIT_PER_MINUTE/);
  });
});

describe('data files are private to the service user', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'passkeys-perm-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const mode = (path: string) => statSync(path).mode & 0o777;

  it('creates keys/ 0700, the key files 0600 and the store file 0600 (attack: another local user reads secrets)', async () => {
    loadOrCreateServerSecret(join(dir, 'data'));
    await loadOrCreateSigningKey(join(dir, 'data'));
    const db = openSqliteDatabase(join(dir, 'data', 'passkeys.db'));
    db.close();
    expect(mode(join(dir, 'data', 'keys'))).toBe(0o700);
    expect(mode(join(dir, 'data', 'keys', 'server-secret'))).toBe(0o600);
    expect(mode(join(dir, 'data', 'keys', 'signing-key.json'))).toBe(0o600);
    expect(mode(join(dir, 'data', 'passkeys.db'))).toBe(0o600);
  });
});
