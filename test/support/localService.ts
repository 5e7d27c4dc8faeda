import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppOverrides } from '../../shared/app';
import { loadConfig, Settings } from '../../shared/config';
import { createLogger } from '../../local/logger';
import { RunningLocal, startLocal } from '../../local/startLocal';
import { DevTokenRequest } from '../../shared/services/devTokenService';
import { CosmosTestServer, startCosmosServer } from './cosmosServer';
import type { TestJson } from './testJson';

export const FRONTEND_ORIGIN = 'http://localhost:7071';

export interface TestService extends RunningLocal {
  dataDir: string;
  token(request: Partial<DevTokenRequest> & { upn?: string }): Promise<string>;
  /** fetch against the service with JSON defaults. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: TestJson }>;
  close(): Promise<void>;
}

/** The stores a suite can run on; `describe.each(TEST_STORES)` runs it on each. */
export type TestStore = 'sqlite' | 'cosmos';
export const TEST_STORES: Array<[TestStore]> = [['sqlite'], ['cosmos']];

/**
 * Starts the real local host in-process on an ephemeral port with a fresh data directory. With
 * `store: 'cosmos'` and no COSMOS_ENDPOINT in the settings, it runs on its own cosmosdb-server (in
 * process, in memory), closed with the service.
 */
export async function startTestService(
  settings: Settings = {},
  overrides?: AppOverrides,
  options: { store?: TestStore } = {},
): Promise<TestService> {
  let cosmos: CosmosTestServer | undefined;
  if (options.store === 'cosmos' && !settings.COSMOS_ENDPOINT) {
    cosmos = await startCosmosServer();
    settings = {
      ...settings,
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_DATABASE: `test-${randomUUID()}`,
    };
  }
  try {
    return await startOn(settings, overrides, cosmos);
  } catch (e) {
    await cosmos?.close();
    throw e;
  }
}

async function startOn(
  settings: Settings,
  overrides: AppOverrides | undefined,
  cosmos: CosmosTestServer | undefined,
): Promise<TestService> {
  const dataDir = settings.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'passkeys-test-'));
  const config = loadConfig(
    {
      PORT: '1',
      ORIGINS: FRONTEND_ORIGIN,
      TOKEN_ISSUER: 'http://localhost:7071',
      // No Azurite on the fixed ports 10000/10001 for every test service: a suite that needs storage starts its own.
      AZURITE: 'off',
      ...settings,
      DATA_DIR: dataDir,
    },
    dataDir,
  );
  config.port = 0;
  const running = await startLocal(config, { logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'none'), overrides });
  const base = `http://127.0.0.1:${running.host.port}`;
  return {
    ...running,
    dataDir,
    token: ({ upn, userPrincipalName, roles = [], permissions = [], expiresInSeconds = 3600 }) =>
      running.app.devTokens.mint({ userPrincipalName: upn ?? userPrincipalName, roles, permissions, expiresInSeconds }),
    call: async (method, path, options = {}) => {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.Authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['Content-Type'] ??= 'application/json';
      }
      const res = await fetch(`${base}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, headers: res.headers, body: parsed };
    },
    close: async () => {
      await running.stop();
      await cosmos?.close();
      if (!settings.DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const Roles = {
  authPolicyAdmin: 'Authentication Policy Administrator',
  globalAdmin: 'Global Administrator',
  globalReader: 'Global Reader',
  authAdmin: 'Authentication Administrator',
};
