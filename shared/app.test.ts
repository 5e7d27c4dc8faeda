import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, withoutSecrets } from './app';
import { loadConfig } from './config';

describe('the composition root hands handlers no secret', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-app-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const secrets = {
    SERVER_SECRET: randomBytes(32).toString('base64'),
    SERVICEBUS_CONNECTION: 'Endpoint=sb://x/;SharedAccessKeyName=k;SharedAccessKey=bus-secret',
    COSMOS_ENDPOINT: 'https://localhost:8081',
    COSMOS_KEY: 'Y29zbW9zLXNlY3JldA==',
  };

  it.each(['serverSecret', 'signingKeyJwk', 'cosmos', 'serviceBusConnection'])(
    'withoutSecrets drops %s and keeps the rest',
    (name) => {
      const config = loadConfig(
        { PORT: '1', DATA_DIR: dataDir, ...secrets, SIGNING_KEY_JWK: '{"kty":"EC","d":"private"}' },
        dataDir,
      );
      expect(config).toHaveProperty(name, expect.anything());
      const settings = withoutSecrets(config);
      expect(settings).not.toHaveProperty(name);
      expect(settings).toMatchObject({
        issuer: config.issuer,
        apiAudience: config.apiAudience,
        trustProxy: config.trustProxy,
      });
    },
  );

  it("the app's settings carry none of the configured secrets, and the app exposes no store, clock or secret to handlers", async () => {
    // The secrets are configured (not the Cosmos store: the embedded one keeps the test offline).
    const { COSMOS_ENDPOINT: _e, COSMOS_KEY: _k, ...offline } = secrets;
    const app = await createApp(loadConfig({ PORT: '1', DATA_DIR: dataDir, ...offline }, dataDir));
    try {
      const visible = JSON.stringify(app.config);
      expect(visible).not.toContain(secrets.SERVER_SECRET);
      expect(visible).not.toContain('bus-secret');
      expect(app.adapters).toEqual({ store: 'sqlite', events: 'servicebus', tokens: 'local' });
      // What a handler's `App` type names: services, settings, adapter names and token keys only.
      expect(Object.keys(app).filter((k) => ['clock', 'webauthn'].includes(k))).toEqual([]);
    } finally {
      await app.close();
    }
  });
});
