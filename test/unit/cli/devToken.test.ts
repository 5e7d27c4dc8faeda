import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mintDevToken } from '../../../cli/devToken';
import { createApp } from '../../../shared/app';
import { loadConfig } from '../../../shared/config';
import { DemoTenant } from '../../../shared/services/seedDemoTenant';

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<string, unknown>;
const admin = { roles: ['Global Administrator'], permissions: [], expiresInSeconds: 600 };

describe('mintDevToken (npm run token) without building the app', () => {
  let dataDir: string;
  const config = (settings: Record<string, string> = {}) =>
    loadConfig({ PORT: '1', TOKEN_ISSUER: 'http://localhost:7071', DATA_DIR: dataDir, ...settings }, dataDir);
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-devtoken-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('an app-only token needs only the key: the store is never opened, and the host accepts the token', async () => {
    const token = await mintDevToken(config(), { roles: [], permissions: ['Policy.Read.All'], expiresInSeconds: 600 });
    expect(existsSync(join(dataDir, 'passkeys.db'))).toBe(false);
    expect(claimsOf(token)).toMatchObject({ idtyp: 'app', roles: ['Policy.Read.All'] });
    const app = await createApp(config());
    try {
      expect(await app.tokens.verifier.verify(token)).toMatchObject({
        kind: 'application',
        permissions: ['Policy.Read.All'],
      });
    } finally {
      await app.close();
    }
  });

  it('before the host ever ran, a demo user gets the id the host will seed, and nothing is written', async () => {
    const token = await mintDevToken(config(), { userPrincipalName: 'Admin@contoso.com', ...admin });
    expect(claimsOf(token)).toMatchObject({
      oid: DemoTenant.admin.id,
      upn: DemoTenant.admin.userPrincipalName,
      sub: DemoTenant.admin.id,
    });
    const app = await createApp(config({ SEED_DEMO_TENANT: 'false' }));
    try {
      expect((await app.directory.listUsers({ filter: [], top: 1 })).items).toEqual([]);
    } finally {
      await app.close();
    }
  });

  it('a user of the directory gets their own id; an unknown one is refused', async () => {
    const app = await createApp(config());
    const erin = await app.directory.createUser(
      { userPrincipalName: 'erin@contoso.com', displayName: 'Erin' },
      { user: null, app: { appId: 'test' } },
    );
    await app.close();
    expect(claimsOf(await mintDevToken(config(), { userPrincipalName: 'erin@contoso.com', ...admin }))).toMatchObject({
      oid: erin.id,
      name: 'Erin',
    });
    await expect(mintDevToken(config(), { userPrincipalName: 'nobody@contoso.com', ...admin })).rejects.toThrow(
      /nobody@contoso\.com/,
    );
  });

  it('without the demo tenant, an empty directory has no demo users', async () => {
    await expect(
      mintDevToken(config({ SEED_DEMO_TENANT: 'false' }), { userPrincipalName: 'admin@contoso.com', ...admin }),
    ).rejects.toThrow(/admin@contoso\.com/);
  });

  it('refuses a lifetime past one day', async () => {
    await expect(
      mintDevToken(config(), { userPrincipalName: 'admin@contoso.com', ...admin, expiresInSeconds: 86_401 }),
    ).rejects.toThrow(/1 to 86400 seconds/);
  });
});
