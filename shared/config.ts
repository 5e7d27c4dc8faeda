import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';

/** Every setting of the service; read from the environment, then local.settings.json `Values`. */
export interface AppConfig {
  port: number;
  dataDir: string;
  rpId: string;
  rpName: string;
  origins: string[];
  /** Issuer of the tokens this service signs (sign-in tokens and local dev admin tokens). */
  issuer: string;
  /** Audience of the admin API (`aud` of admin tokens). */
  apiAudience: string;
  cosmos?: { endpoint: string; key: string; databaseId: string };
  entra?: { tenantId: string; audience: string; issuer: string; jwksUri: string };
  /** Accept admin tokens signed by the local key (dev tokens from `npm run token`). */
  allowLocalTokens: boolean;
  seedDemoTenant: boolean;
  fidoMdsPath?: string;
  signInTokenLifetimeSeconds: number;
  /** REENROLMENT_GRACE_HOURS: after a UPN change, how long old passkeys keep working without a new one (fractions allowed). */
  reEnrolmentGraceHours: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** First redelivery delay of the local event bus, doubling per attempt (EVENT_RETRY_BASE_MS). */
  eventRetryBaseMs: number;
  /** Service Bus connection string: events go to the `passkey-events` topic instead of the local bus. */
  serviceBusConnection?: string;
  /** Private ES256 JWK (JSON) to sign with, e.g. from Key Vault; else a key file under dataDir. */
  signingKeyJwk?: string;
  /** Base64 32-byte server secret, e.g. from Key Vault; else a file under dataDir. */
  serverSecret?: string;
}

export type Settings = Record<string, string | undefined>;

/** Reads `local.settings.json` Values (as `func start` does) when the file exists. */
export function readLocalSettings(cwd = process.cwd()): Settings {
  const file = resolve(cwd, 'local.settings.json');
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { Values?: Settings };
  return parsed.Values ?? {};
}

const bool = (value: string | undefined, fallback: boolean) =>
  value === undefined || value === '' ? fallback : ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());

function positiveNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Setting ${name} must be a positive number (hours, fractions allowed), received '${value}'.`);
  return n;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`Setting ${name} must be a positive integer, received '${value}'.`);
  return n;
}

/** Builds the configuration; environment variables win over local.settings.json. */
export function loadConfig(env: Settings = process.env, cwd = process.cwd()): AppConfig {
  const s: Settings = { ...readLocalSettings(cwd), ...env };
  const port = positiveInt('PORT', s.PORT, 7071);
  const dataDir = s.DATA_DIR && isAbsolute(s.DATA_DIR) ? s.DATA_DIR : resolve(cwd, s.DATA_DIR || '.data');
  const origins = (s.ORIGINS || `http://localhost:${port}`).split(',').map((o) => o.trim().replace(/\/$/, '')).filter(Boolean);
  const issuer = (s.TOKEN_ISSUER || `http://localhost:${port}`).replace(/\/$/, '');
  const tenantId = s.ENTRA_TENANT_ID;
  const apiAudience = s.API_AUDIENCE || 'api://passkey-service';
  return {
    port,
    dataDir,
    rpId: s.RP_ID || 'localhost',
    rpName: s.RP_NAME || 'Contoso',
    origins,
    issuer,
    apiAudience,
    cosmos: s.COSMOS_ENDPOINT
      ? { endpoint: s.COSMOS_ENDPOINT, key: s.COSMOS_KEY ?? '', databaseId: s.COSMOS_DATABASE || 'passkeys' }
      : undefined,
    entra: tenantId
      ? {
          tenantId,
          audience: s.ENTRA_AUDIENCE || apiAudience,
          issuer: s.ENTRA_ISSUER || `https://login.microsoftonline.com/${tenantId}/v2.0`,
          jwksUri: s.ENTRA_JWKS_URI || `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
        }
      : undefined,
    allowLocalTokens: bool(s.ALLOW_LOCAL_TOKENS, !tenantId),
    seedDemoTenant: bool(s.SEED_DEMO_TENANT, true),
    fidoMdsPath: s.FIDO_MDS_PATH || undefined,
    signInTokenLifetimeSeconds: positiveInt('SIGNIN_TOKEN_LIFETIME_SECONDS', s.SIGNIN_TOKEN_LIFETIME_SECONDS, 3600),
    reEnrolmentGraceHours: positiveNumber('REENROLMENT_GRACE_HOURS', s.REENROLMENT_GRACE_HOURS, 72),
    eventRetryBaseMs: positiveInt('EVENT_RETRY_BASE_MS', s.EVENT_RETRY_BASE_MS, 100),
    serviceBusConnection: s.SERVICEBUS_CONNECTION || undefined,
    signingKeyJwk: s.SIGNING_KEY_JWK || undefined,
    serverSecret: s.SERVER_SECRET || undefined,
    logLevel: (['debug', 'info', 'warn', 'error'].includes(s.LOG_LEVEL ?? '') ? s.LOG_LEVEL : 'info') as AppConfig['logLevel'],
  };
}
