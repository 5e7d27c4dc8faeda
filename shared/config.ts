import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { parseRelatedOrigins } from './domain/webauthn/relatedOrigins';

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
  /** COSMOS_ENDPOINT, COSMOS_DATABASE, and COSMOS_KEY; without a key the store signs in with DefaultAzureCredential. */
  cosmos?: { endpoint: string; key?: string; databaseId: string };
  entra?: { tenantId: string; audience: string; issuer: string; jwksUri: string };
  /** Accept admin tokens signed by the local key (dev tokens from `npm run token`). */
  allowLocalTokens: boolean;
  seedDemoTenant: boolean;
  fidoMdsPath?: string;
  /** ATTESTATION_TRUST_ROOTS: a PEM file or a folder of them; attestations chaining to these roots are attested, for any model. */
  attestationTrustRoots?: string;
  signInTokenLifetimeSeconds: number;
  /** REENROLMENT_GRACE_HOURS: after a UPN change, how long old passkeys keep working without a new one (fractions allowed). */
  reEnrolmentGraceHours: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** First redelivery delay of the local event bus, doubling per attempt (EVENT_RETRY_BASE_MS). */
  eventRetryBaseMs: number;
  /** Service Bus connection string: events go to the `passkey-events` topic instead of the local bus. */
  serviceBusConnection?: string;
  /**
   * SERVICEBUS_CONNECTION__fullyQualifiedNamespace (the name the Functions host's identity-based trigger
   * connection reads too): events go to that namespace with DefaultAzureCredential, no key.
   */
  serviceBusNamespace?: string;
  /** Private ES256 JWK (JSON) to sign with, e.g. from Key Vault; else a key file under dataDir. */
  signingKeyJwk?: string;
  /** Base64 32-byte server secret, e.g. from Key Vault; else a file under dataDir. Checked strictly at load. */
  serverSecret?: string;
  /** HOST: the addresses the local host listens on; loopback only (127.0.0.1 and ::1) unless told otherwise. */
  listenHosts: string[];
  /** TRUST_PROXY: take the client address and public URL from X-Forwarded-* (only behind a proxy you run). */
  trustProxy: boolean;
  /** RATE_LIMIT_PER_MINUTE: requests per client address per minute on the unauthenticated ceremony routes; 0 = off. */
  rateLimitPerMinute: number;
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: let webhooks reach loopback and private ranges (a receiver on the developer's machine). */
  webhookAllowPrivateNetworks: boolean;
  /** ALLOWED_AUDIENCES: token audiences (`resource`) a sign-in may ask for, besides API_AUDIENCE and TOKEN_ISSUER. */
  allowedAudiences: string[];
  /** RELATED_ORIGINS: more origins that use this RP ID (WebAuthn related origins), served at /.well-known/webauthn. */
  relatedOrigins: string[];
  /** SIGNIN_LOG_RETENTION_DAYS: days a sign-in log record is kept (Cosmos DB TTL, SQLite purge); the inventory's window. */
  signInLogRetentionDays: number;
  /** DIRECTORY: `embedded` (default, the store's own users and groups) or `entra` (the tenant, through Graph). */
  directory: 'embedded' | 'entra';
  /** DIRECTORY=entra: how to reach the tenant (GRAPH_* settings); holds secrets. */
  graph?: GraphSettings;
  /** FIDO_MDS_URL: the MDS3 blob refreshed on a timer and cached in Blob Storage; off when unset. Holds a connection string. */
  fidoMds?: FidoMdsSettings;
  /** The Azure Storage the queue and blob triggers read locally, and the embedded Azurite (see {@link StorageSettings}). */
  storage: StorageSettings;
}

/**
 * Storage for the `provisioning-requests` queue and blob triggers on the embedded runtime. `npm start`
 * runs Azurite's Blob and Queue services in process (the well-known development account) unless
 * AZURITE=off or AzureWebJobsStorage names other storage; the local host then polls that storage.
 */
export interface StorageSettings {
  /** AzureWebJobsStorage: a connection string; unset (or `UseDevelopmentStorage=true`) means the development account. */
  connection?: string;
  /** Run Azurite in process: AZURITE is not `off` and AzureWebJobsStorage is unset or the development account. */
  azurite: boolean;
  /** AZURITE_BLOB_PORT (default 10000) and AZURITE_QUEUE_PORT (default 10001) on 127.0.0.1; 0 = a free port. */
  azuriteBlobPort: number;
  azuriteQueuePort: number;
}

/** `UseDevelopmentStorage=true`: the Azure SDKs' and the Functions host's name for Azurite's well-known account. */
export const DEVELOPMENT_STORAGE = 'UseDevelopmentStorage=true';

function portNumber(name: string, value: string | undefined, fallback: number): number {
  const n = nonNegativeInt(name, value, fallback);
  if (n > 65_535)
    throw new Error(`Setting ${name} must be a TCP port (0 to 65535, 0 = a free port), received '${value}'.`);
  return n;
}

function storageSettings(s: Settings): StorageSettings {
  const connection = s.AzureWebJobsStorage?.trim() || undefined;
  const developmentAccount = connection === undefined || connection.replace(/;$/, '') === DEVELOPMENT_STORAGE;
  return {
    connection,
    azurite: bool(s.AZURITE, true) && developmentAccount,
    azuriteBlobPort: portNumber('AZURITE_BLOB_PORT', s.AZURITE_BLOB_PORT, 10_000),
    azuriteQueuePort: portNumber('AZURITE_QUEUE_PORT', s.AZURITE_QUEUE_PORT, 10_001),
  };
}

/** Where the verified FIDO metadata is cached: the app's storage account (AzureWebJobsStorage). */
export type FidoMdsStorage = { connectionString: string } | { accountUrl: string };

/** The FIDO_MDS_* settings, validated at load. */
export interface FidoMdsSettings {
  /** FIDO_MDS_URL, e.g. https://mds3.fidoalliance.org/ */
  url: string;
  /** FIDO_MDS_ROOT_CERT: a PEM file path, inline PEM or base64 DER; default the FIDO Alliance roots SimpleWebAuthn ships. */
  rootCertificate?: string;
  /** FIDO_MDS_ALLOW_PRIVATE_NETWORKS: let the download reach loopback and private ranges (a test server on the developer's machine). */
  allowPrivateNetworks: boolean;
  /**
   * AzureWebJobsStorage (a connection string; UseDevelopmentStorage=true for Azurite), else
   * AzureWebJobsStorage__accountName (keyless, DefaultAzureCredential); neither: a file under DATA_DIR.
   */
  storage?: FidoMdsStorage;
}

function fidoMdsSettings(s: Settings): FidoMdsSettings | undefined {
  if (!s.FIDO_MDS_URL) return undefined;
  const allowPrivateNetworks = bool(s.FIDO_MDS_ALLOW_PRIVATE_NETWORKS, false);
  const url = z.url({ protocol: /^https?$/ }).safeParse(s.FIDO_MDS_URL);
  if (!url.success) throw new Error(`Setting FIDO_MDS_URL must be an http(s) URL, received '${s.FIDO_MDS_URL}'.`);
  const accountName = s.AzureWebJobsStorage__accountName;
  const storage: FidoMdsStorage | undefined = s.AzureWebJobsStorage
    ? { connectionString: s.AzureWebJobsStorage }
    : accountName
      ? { accountUrl: `https://${accountName}.blob.core.windows.net` }
      : undefined;
  return { url: url.data, rootCertificate: s.FIDO_MDS_ROOT_CERT || undefined, allowPrivateNetworks, storage };
}

/** The GRAPH_* settings, validated at load (DIRECTORY=entra). */
export const GraphSettingsSchema = z.object({
  /** GRAPH_BASE_URL: https only (default https://graph.microsoft.com). */
  baseUrl: z.url({ protocol: /^https$/ }),
  /** GRAPH_TENANT_ID, else ENTRA_TENANT_ID. */
  tenantId: z.string().min(1),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  clientCertificatePath: z.string().min(1).optional(),
  /** GRAPH_MEMBERSHIP_TTL_SECONDS: how long a user's groups are cached (default 300). */
  membershipTtlSeconds: z.coerce.number().int().min(0).max(86_400),
  /** GRAPH_NOTIFICATION_URL: the public https URL of POST /notifications/graph; without it, delta only. */
  notificationUrl: z.url({ protocol: /^https$/ }).optional(),
  /** GRAPH_CLIENT_STATE: the secret Graph echoes in every notification (at least 16 characters). */
  clientState: z
    .string()
    .min(16)
    .max(128)
    // An unresolved Key Vault reference arrives as its text, which anyone can read in the template.
    .refine((v) => !v.startsWith('@Microsoft.KeyVault('), 'is an unresolved Key Vault reference'),
});
export type GraphSettings = z.infer<typeof GraphSettingsSchema>;

function graphSettings(s: Settings): GraphSettings {
  const parsed = GraphSettingsSchema.safeParse({
    baseUrl: s.GRAPH_BASE_URL || 'https://graph.microsoft.com',
    tenantId: s.GRAPH_TENANT_ID || s.ENTRA_TENANT_ID,
    clientId: s.GRAPH_CLIENT_ID || undefined,
    clientSecret: s.GRAPH_CLIENT_SECRET || undefined,
    clientCertificatePath: s.GRAPH_CLIENT_CERTIFICATE_PATH || undefined,
    membershipTtlSeconds: s.GRAPH_MEMBERSHIP_TTL_SECONDS || '300',
    notificationUrl: s.GRAPH_NOTIFICATION_URL || undefined,
    clientState: s.GRAPH_CLIENT_STATE,
  });
  if (parsed.success) return parsed.data;
  // Names and problems only: the values may be secrets.
  const problems = parsed.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ');
  throw new Error(
    `DIRECTORY=entra needs valid GRAPH_* settings (GRAPH_TENANT_ID or ENTRA_TENANT_ID, GRAPH_CLIENT_STATE): ${problems}`,
  );
}

/** Entra keeps sign-in logs 30 days (P1/P2); a self-hosted log may keep more, up to two years. */
export const MAX_SIGNIN_LOG_RETENTION_DAYS = 730;

/** Entra caps configurable token lifetimes at one day; so do we. */
export const MAX_TOKEN_LIFETIME_SECONDS = 24 * 60 * 60;

/**
 * SERVER_SECRET must be exactly 32 bytes in canonical base64. A Key Vault reference that fails to
 * resolve arrives as its literal text (`@Microsoft.KeyVault(...)`), which lenient base64 decoding
 * would turn into a weak key: refuse to start instead.
 */
export function parseServerSecret(value: string): Buffer {
  const bytes = Buffer.from(value, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value) || bytes.length !== 32 || bytes.toString('base64') !== value) {
    throw new Error(
      `Setting SERVER_SECRET must be 32 bytes in base64 (44 characters ending in '='), received ${value.length} characters that are not; generate one with: node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`,
    );
  }
  return bytes;
}

function nonNegativeInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new Error(`Setting ${name} must be a whole number, 0 or more, received '${value}'.`);
  return n;
}

function boundedInt(name: string, value: string | undefined, fallback: number, max: number): number {
  const n = positiveInt(name, value, fallback);
  if (n > max) throw new Error(`Setting ${name} must be at most ${max}, received '${value}'.`);
  return n;
}

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

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
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`Setting ${name} must be a positive number (hours, fractions allowed), received '${value}'.`);
  return n;
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new Error(`Setting ${name} must be a positive integer, received '${value}'.`);
  return n;
}

function directorySettings(s: Settings): Pick<AppConfig, 'directory' | 'graph'> {
  const directory = s.DIRECTORY || 'embedded';
  if (directory === 'embedded') return { directory };
  if (directory === 'entra') return { directory, graph: graphSettings(s) };
  throw new Error(`Setting DIRECTORY must be 'embedded' or 'entra', received '${directory}'.`);
}

/** Builds the configuration; environment variables win over local.settings.json. */
export function loadConfig(env: Settings = process.env, cwd = process.cwd()): AppConfig {
  const s: Settings = { ...readLocalSettings(cwd), ...env };
  const port = positiveInt('PORT', s.PORT, 7071);
  const dataDir = s.DATA_DIR && isAbsolute(s.DATA_DIR) ? s.DATA_DIR : resolve(cwd, s.DATA_DIR || '.data');
  const origins = (s.ORIGINS || `http://localhost:${port}`)
    .split(',')
    .map((o) => o.trim().replace(/\/$/, ''))
    .filter(Boolean);
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
      ? { endpoint: s.COSMOS_ENDPOINT, key: s.COSMOS_KEY || undefined, databaseId: s.COSMOS_DATABASE || 'passkeys' }
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
    attestationTrustRoots: s.ATTESTATION_TRUST_ROOTS || undefined,
    signInTokenLifetimeSeconds: boundedInt(
      'SIGNIN_TOKEN_LIFETIME_SECONDS',
      s.SIGNIN_TOKEN_LIFETIME_SECONDS,
      3600,
      MAX_TOKEN_LIFETIME_SECONDS,
    ),
    reEnrolmentGraceHours: positiveNumber('REENROLMENT_GRACE_HOURS', s.REENROLMENT_GRACE_HOURS, 72),
    eventRetryBaseMs: positiveInt('EVENT_RETRY_BASE_MS', s.EVENT_RETRY_BASE_MS, 100),
    serviceBusConnection: s.SERVICEBUS_CONNECTION || undefined,
    serviceBusNamespace: s.SERVICEBUS_CONNECTION__fullyQualifiedNamespace || undefined,
    signingKeyJwk: s.SIGNING_KEY_JWK || undefined,
    serverSecret: s.SERVER_SECRET ? (parseServerSecret(s.SERVER_SECRET), s.SERVER_SECRET) : undefined,
    listenHosts: s.HOST ? list(s.HOST) : ['127.0.0.1', '::1'],
    trustProxy: bool(s.TRUST_PROXY, false),
    rateLimitPerMinute: nonNegativeInt('RATE_LIMIT_PER_MINUTE', s.RATE_LIMIT_PER_MINUTE, 0),
    webhookAllowPrivateNetworks: bool(s.WEBHOOK_ALLOW_PRIVATE_NETWORKS, false),
    allowedAudiences: list(s.ALLOWED_AUDIENCES),
    relatedOrigins: parseRelatedOrigins(s.RELATED_ORIGINS),
    ...directorySettings(s),
    storage: storageSettings(s),
    fidoMds: fidoMdsSettings(s),
    signInLogRetentionDays: boundedInt(
      'SIGNIN_LOG_RETENTION_DAYS',
      s.SIGNIN_LOG_RETENTION_DAYS,
      30,
      MAX_SIGNIN_LOG_RETENTION_DAYS,
    ),
    logLevel: (['debug', 'info', 'warn', 'error'].includes(s.LOG_LEVEL ?? '')
      ? s.LOG_LEVEL
      : 'info') as AppConfig['logLevel'],
  };
}
