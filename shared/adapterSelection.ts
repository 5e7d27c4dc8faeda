import { join } from 'node:path';
import { createEphemeralSigningKey, loadOrCreateSigningKey } from './adapters/keys/localKeys';
import { JoseTokenSigner } from './adapters/tokens/joseTokenSigner';
import { AppConfig } from './config';
import { EVENT_SUBSCRIPTIONS } from './eventTopology';
import { EventBus } from './ports/eventBus.port';
import { Store } from './ports/store.port';
import { TokenSigner } from './ports/tokens.port';
import { LOCAL_DEV_ISSUER } from './services/devTokenService';

/*
 * Which adapter serves each port, decided in this one place from the configuration (DESIGN §2):
 * `shared/app.ts` builds the services over them, the Azure entry (functions/index.ts) and the
 * embedded runtime (local/) take their bus from here. SDKs and embedded adapters are loaded
 * lazily, so a host pays only for what it runs and the Azure entry never loads the embedded bus.
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
    events: config.serviceBusConnection ? 'servicebus' : 'local',
    tokens: config.entra ? (config.allowLocalTokens ? 'entra+local' : 'entra') : 'local',
  };
}

/** The store: Cosmos DB when COSMOS_ENDPOINT is set, else the embedded SQLite file under DATA_DIR. */
export async function createStore(config: AppConfig): Promise<Store> {
  if (config.cosmos) {
    // Loaded lazily: the embedded default should not pay for the Cosmos SDK at start.
    const { createCosmosStore } = await import('./adapters/cosmos/store.cosmos');
    return createCosmosStore(config.cosmos);
  }
  const { createSqliteStore } = await import('./adapters/sqlite/store.sqlite');
  return createSqliteStore(join(config.dataDir, 'passkeys.db'));
}

/**
 * The event bus: Service Bus (`passkey-events`) when SERVICEBUS_CONNECTION is set, else the durable
 * local bus under DATA_DIR. On Azure the setting is required: a Function App writing events to a
 * local file would lose them for every other instance.
 */
export async function createEventBus(config: AppConfig, hosting: Hosting): Promise<EventBus> {
  if (config.serviceBusConnection) {
    const { ServiceBusEventBus } = await import('./adapters/servicebus/serviceBus.eventBus');
    return new ServiceBusEventBus({ connectionString: config.serviceBusConnection });
  }
  if (hosting === 'azure') throw new Error('Setting SERVICEBUS_CONNECTION is required on Azure: the outbox relay publishes to Service Bus.');
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
  const key = config.allowLocalTokens ? await loadOrCreateSigningKey(config.dataDir, undefined, 'devAdmin') : await createEphemeralSigningKey();
  return new JoseTokenSigner(LOCAL_DEV_ISSUER, key);
}
