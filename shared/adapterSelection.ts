import type { TokenCredential } from '@azure/core-auth';
import { join } from 'node:path';
import { PinnedHttpSender } from './adapters/http/pinnedHttpSender';
import type { TrustedIssuer } from './adapters/tokens/joseAccessTokenVerifier';
import { AppConfig, FidoMdsStorage, GraphSettings } from './config';
import { Clock, systemClock } from './ports/clock.port';
import { DirectoryRepository } from './ports/directory.port';
import { DirectoryChangeFeed } from './ports/directorySync.port';
import { EVENT_SUBSCRIPTIONS } from './eventTopology';
import { EventBus } from './ports/eventBus.port';
import { Store } from './ports/store.port';
import { HttpDownloader, HttpSender } from './ports/httpSender.port';
import { MetadataCache } from './ports/metadataCache.port';
import { METADATA_BLOB, METADATA_CONTAINER } from './adapters/storage/metadataDocument';
import { FidoMetadataService } from './services/metadata/fidoMetadataService';
import { AccessTokenVerifier, TokenSigner } from './ports/tokens.port';
import { WebAuthnPort } from './ports/webauthn.port';
import { LOCAL_DEV_ISSUER } from './services/devTokenService';

/*
 * Which adapter serves each port, decided in this one place from the configuration (DESIGN §2):
 * `shared/app.ts` builds the services over them, the Azure entry (functions/index.ts) and the
 * embedded runtime (local/startLocal.ts) take their bus from here. SDKs and embedded adapters are
 * loaded lazily, so a host pays only for what it runs and the Azure entry never loads the embedded
 * store or bus. The one adapter not chosen here is the durable backend: on Azure it is the
 * Functions host's (host.json), on the embedded runtime its own engine (local/, which shared/ never imports).
 */

/** Where the code runs: the Functions host on Azure, or the embedded runtime (`npm start`, tests). */
export type Hosting = 'azure' | 'local';

/** The adapters in use, as /health reports them. */
export interface AdapterNames {
  store: Store['kind'];
  events: 'servicebus' | 'local';
  tokens: 'entra' | 'entra+local' | 'local';
}

/** The adapters a configuration selects (the same decisions as the factories below). */
export function adapterNames(config: AppConfig): AdapterNames {
  return {
    store: config.cosmos ? 'cosmos' : 'sqlite',
    events: config.serviceBusConnection || config.serviceBusNamespace ? 'servicebus' : 'local',
    tokens: config.entra ? (config.allowLocalTokens ? 'entra+local' : 'entra') : 'local',
  };
}

let credential: Promise<TokenCredential> | undefined;

/**
 * One DefaultAzureCredential per process for the store and the bus (each instance keeps its own token
 * cache and probes its chain anew); loaded lazily, as only the keyless mode needs @azure/identity.
 */
function azureCredential(): Promise<TokenCredential> {
  credential ??= import('./adapters/identity/azureCredential')
    .then(({ defaultAzureCredential }) => defaultAzureCredential())
    .catch((e: unknown) => {
      credential = undefined;
      throw e;
    });
  return credential;
}

/*
 * The key files and the token adapters are loaded when the app is built, not when the Azure entry is
 * imported: they bring jose, ~30-65 ms of a cold instance's import (issue 10).
 */
type JoseVerifierModule = typeof import('./adapters/tokens/joseAccessTokenVerifier');
const localKeys = () => import('./adapters/keys/localKeys');
const joseTokenSigner = () => import('./adapters/tokens/joseTokenSigner');
const joseVerifier = (): Promise<JoseVerifierModule> => import('./adapters/tokens/joseAccessTokenVerifier');

/**
 * The store: Cosmos DB when COSMOS_ENDPOINT is set (with COSMOS_KEY, or else DefaultAzureCredential),
 * else the embedded SQLite file under DATA_DIR.
 */
export async function createStore(config: AppConfig): Promise<Store> {
  if (config.cosmos) {
    // Loaded lazily: the embedded default should not pay for the Cosmos SDK at start.
    const { createCosmosStore } = await import('./adapters/cosmos/store.cosmos');
    const { endpoint, key, databaseId } = config.cosmos;
    const signInLogRetentionDays = config.signInLogRetentionDays;
    if (key) return createCosmosStore({ endpoint, key, databaseId, signInLogRetentionDays });
    return createCosmosStore({ endpoint, credential: await azureCredential(), databaseId, signInLogRetentionDays });
  }
  const { createSqliteStore } = await import('./adapters/sqlite/store.sqlite');
  return createSqliteStore(join(config.dataDir, 'passkeys.db'));
}

/** The Entra tenant through Microsoft Graph (DIRECTORY=entra): the directory's read side and its change feed. */
export interface EntraConnector {
  directory: DirectoryRepository & { forgetMemberships(userId?: string): void };
  feed: DirectoryChangeFeed;
}

/**
 * DIRECTORY=entra: the Graph client (secret, certificate or managed identity through @azure/identity;
 * `credential`/`ca` for tests) serving users and groups, role assignments kept in the store.
 * Loaded lazily: the embedded default never loads the Graph SDK.
 */
export async function createEntraConnector(
  graph: GraphSettings,
  deps: { store: Store; clock: Clock; credential?: TokenCredential; ca?: string },
): Promise<EntraConnector> {
  const [{ createGraphClient }, { EntraDirectory }, { GraphChangeFeed }, { graphCredential }] = await Promise.all([
    import('./adapters/graph/graphClient'),
    import('./adapters/graph/entraDirectory'),
    import('./adapters/graph/graphChangeFeed'),
    import('./adapters/graph/graphCredential'),
  ]);
  const client = createGraphClient({
    baseUrl: graph.baseUrl,
    credential: deps.credential ?? (await graphCredential(graph)),
    ca: deps.ca,
  });
  return {
    directory: new EntraDirectory({
      graph: client,
      roleAssignments: deps.store.directory,
      clock: deps.clock,
      membershipTtlMs: graph.membershipTtlSeconds * 1000,
    }),
    feed: new GraphChangeFeed(client),
  };
}

/**
 * The event bus: Service Bus (`passkey-events`) when SERVICEBUS_CONNECTION (a connection string) or
 * SERVICEBUS_CONNECTION__fullyQualifiedNamespace (DefaultAzureCredential) is set, else the durable
 * local bus under DATA_DIR. On Azure one of them is required: a Function App writing events to a
 * local file would lose them for every other instance.
 */
export async function createEventBus(config: AppConfig, hosting: Hosting): Promise<EventBus> {
  if (config.serviceBusConnection) {
    const { ServiceBusEventBus } = await import('./adapters/servicebus/serviceBus.eventBus');
    return new ServiceBusEventBus({ connectionString: config.serviceBusConnection });
  }
  if (config.serviceBusNamespace) {
    const { ServiceBusEventBus } = await import('./adapters/servicebus/serviceBus.eventBus');
    return new ServiceBusEventBus({
      fullyQualifiedNamespace: config.serviceBusNamespace,
      credential: await azureCredential(),
    });
  }
  if (hosting === 'azure')
    throw new Error(
      'Setting SERVICEBUS_CONNECTION is required on Azure (or SERVICEBUS_CONNECTION__fullyQualifiedNamespace, keyless): the outbox relay publishes to Service Bus.',
    );
  const { LocalEventBus } = await import('./adapters/localbus/localEventBus');
  const base = config.eventRetryBaseMs;
  return LocalEventBus.open(join(config.dataDir, 'bus.db'), {
    subscriptions: EVENT_SUBSCRIPTIONS,
    backoffMs: (attempt) => Math.min(30_000, base * 2 ** (attempt - 1)),
  });
}

/**
 * The signer of dev admin tokens: a fixed issuer, so `npm run token` and a host on another PORT
 * agree, and its own key under DATA_DIR, so neither a sign-in token nor a dev token verifies as the
 * other. Without ALLOW_LOCAL_TOKENS the key is ephemeral: nothing it signs is ever accepted.
 */
export async function createDevTokenSigner(config: AppConfig): Promise<TokenSigner> {
  const [{ createEphemeralSigningKey, loadOrCreateSigningKey }, { JoseTokenSigner }] = await Promise.all([
    localKeys(),
    joseTokenSigner(),
  ]);
  const key = config.allowLocalTokens
    ? await loadOrCreateSigningKey(config.dataDir, undefined, 'devAdmin')
    : await createEphemeralSigningKey();
  return new JoseTokenSigner(LOCAL_DEV_ISSUER, key);
}

/**
 * The signer of sign-in tokens: our issuer (TOKEN_ISSUER), with the key from SIGNING_KEY_JWK (e.g.
 * Key Vault) or a key file under DATA_DIR.
 */
export async function createSignInTokenSigner(config: AppConfig): Promise<TokenSigner> {
  if (config.issuer === LOCAL_DEV_ISSUER)
    throw new Error(
      `Setting TOKEN_ISSUER must not be '${LOCAL_DEV_ISSUER}': that issuer is reserved for dev admin tokens.`,
    );
  const [{ loadOrCreateSigningKey }, { JoseTokenSigner }] = await Promise.all([localKeys(), joseTokenSigner()]);
  return new JoseTokenSigner(
    config.issuer,
    await loadOrCreateSigningKey(config.dataDir, config.signingKeyJwk, 'signIn'),
  );
}

/** The JWKS sources of an issuer: our own public keys, or a remote JWKS (the Entra tenant's). */
type JwksSources = Pick<JoseVerifierModule, 'localJwks' | 'remoteJwks'>;

/** Issuers of admin tokens: dev tokens signed by the dev key (when allowed), and the Entra tenant. */
function adminIssuers(
  config: AppConfig,
  devSigner: TokenSigner,
  { localJwks, remoteJwks }: JwksSources,
): TrustedIssuer[] {
  const issuers: TrustedIssuer[] = [];
  if (config.allowLocalTokens)
    issuers.push({ issuer: LOCAL_DEV_ISSUER, audiences: [config.apiAudience], keys: localJwks(devSigner.jwks()) });
  if (config.entra)
    issuers.push({
      issuer: config.entra.issuer,
      audiences: [config.entra.audience],
      keys: remoteJwks(config.entra.jwksUri),
    });
  return issuers;
}

/**
 * Sign-in tokens (signed by the sign-in key, our issuer) are good for acting as the signed-in
 * user only: an administrator's passkey sign-in is not an admin token.
 */
function signInIssuers(config: AppConfig, signer: TokenSigner, { localJwks }: JwksSources): TrustedIssuer[] {
  // As before the split: accepted on /me where locally signed tokens are (ALLOW_LOCAL_TOKENS).
  return config.allowLocalTokens
    ? [{ issuer: config.issuer, audiences: [config.apiAudience], keys: localJwks(signer.jwks()) }]
    : [];
}

/**
 * `verifier` accepts admin tokens (dev tokens, Entra); `signedInUserVerifier` also accepts our
 * sign-in tokens, for the signed-in-user routes only.
 */
export async function createTokenVerifiers(
  config: AppConfig,
  keys: { signer: TokenSigner; devSigner: TokenSigner },
): Promise<{ verifier: AccessTokenVerifier; signedInUserVerifier: AccessTokenVerifier }> {
  const jose = await joseVerifier();
  // One set of admin issuers for both: each remoteJwks is its own key cache, so two would fetch Entra's JWKS twice.
  const admin = adminIssuers(config, keys.devSigner, jose);
  return {
    verifier: new jose.JoseAccessTokenVerifier(admin),
    signedInUserVerifier: new jose.JoseAccessTokenVerifier([...admin, ...signInIssuers(config, keys.signer, jose)]),
  };
}

/** The 32-byte server secret: SERVER_SECRET (e.g. Key Vault) or a file under DATA_DIR. */
export async function loadServerSecret(config: AppConfig): Promise<Buffer> {
  return (await localKeys()).loadOrCreateServerSecret(config.dataDir, config.serverSecret);
}

/** What {@link createWebAuthn} built: the port, and the FIDO metadata refresh when FIDO_MDS_URL is set. */
export interface WebAuthnWiring {
  webauthn: WebAuthnPort;
  fidoMetadata?: FidoMetadataService;
}

/**
 * WebAuthn verification by SimpleWebAuthn, with the metadata statements and trust roots configured
 * (offline). Statements: FIDO_MDS_PATH's; with FIDO_MDS_URL, the cached MDS copy, read on the first
 * attestation check (not at start: the storage SDK costs a cold start ~200 ms, sign-in never needs it).
 */
export async function createWebAuthn(
  config: AppConfig,
  deps: {
    clock: Clock;
    mdsDownloader?: HttpDownloader;
    log?: (level: 'info' | 'warn', message: string) => void;
  } = { clock: systemClock },
): Promise<WebAuthnWiring> {
  // Loaded when the app is built, not when the Azure entry is imported: SimpleWebAuthn and its
  // ASN.1 stack are a third of a cold instance's import time (issue 10).
  const [{ SimpleWebAuthnAdapter }, { loadMetadata }, { loadTrustRoots }] = await Promise.all([
    import('./adapters/webauthn/simpleWebAuthn.adapter'),
    import('./adapters/webauthn/metadataStatements'),
    import('./adapters/webauthn/trustRoots'),
  ]);
  const seed = await loadMetadata(config.fidoMdsPath);
  const trustRoots = loadTrustRoots(config.attestationTrustRoots);
  if (!config.fidoMds) return { webauthn: await SimpleWebAuthnAdapter.create({ metadata: seed, trustRoots }) };
  const [{ MetadataHolder }, { MdsBlobVerifier, loadMdsRoots }] = await Promise.all([
    import('./adapters/webauthn/metadataHolder'),
    import('./adapters/webauthn/metadataBlob'),
  ]);
  const holder = new MetadataHolder(seed);
  const fidoMetadata = new FidoMetadataService({
    url: config.fidoMds.url,
    cache: createMetadataCache(config.dataDir, config.fidoMds.storage),
    downloader:
      deps.mdsDownloader ?? new PinnedHttpSender({ allowPrivateNetworks: config.fidoMds.allowPrivateNetworks }),
    verifier: new MdsBlobVerifier(loadMdsRoots(config.fidoMds.rootCertificate)),
    target: holder,
    clock: deps.clock,
    log: deps.log,
  });
  holder.follow(
    () => fidoMetadata.start(),
    () => fidoMetadata.recheckIfDue(),
  );
  return { webauthn: await SimpleWebAuthnAdapter.create({ metadata: holder, trustRoots }), fidoMetadata };
}

/**
 * Where the verified FIDO metadata is cached: Blob Storage (AzureWebJobsStorage: a connection
 * string, or the account name and DefaultAzureCredential), else a file under DATA_DIR. The storage
 * SDK is loaded on first use, not when the app is built.
 */
function createMetadataCache(dataDir: string, storage: FidoMdsStorage | undefined): MetadataCache {
  const blobPath = `${METADATA_CONTAINER}/${METADATA_BLOB}`;
  const location = !storage
    ? join(dataDir, METADATA_CONTAINER, METADATA_BLOB)
    : 'accountUrl' in storage
      ? `${storage.accountUrl}/${blobPath}`
      : `${blobPath} (AzureWebJobsStorage)`;
  let opened: Promise<MetadataCache> | undefined;
  const open = async (): Promise<MetadataCache> => {
    if (!storage) return new (await import('./adapters/storage/metadataCache.file')).FileMetadataCache(dataDir);
    const { BlobMetadataCache } = await import('./adapters/storage/metadataCache.blob');
    if ('connectionString' in storage) return new BlobMetadataCache({ connectionString: storage.connectionString });
    return new BlobMetadataCache({ accountUrl: storage.accountUrl, credential: await azureCredential() });
  };
  const cache = () =>
    (opened ??= open().catch((e: unknown) => {
      opened = undefined;
      throw e;
    }));
  return {
    location,
    read: async () => (await cache()).read(),
    etag: async () => (await cache()).etag(),
    write: async (metadata, ifMatch) => (await cache()).write(metadata, ifMatch),
  };
}

/** Outgoing HTTP of webhook deliveries: pinned to the address it checked, private networks only when allowed. */
export function createWebhookSender(config: AppConfig): HttpSender {
  return new PinnedHttpSender({ allowPrivateNetworks: config.webhookAllowPrivateNetworks });
}
