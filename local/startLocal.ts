import { ceremonyOrigins } from '../shared/domain/webauthn/relatedOrigins';
import { buildHttpRegistry } from '../functions/registry';
import { AppOverrides, ComposedApp, createApp } from '../shared/app';
import { createEventBus } from '../shared/adapterSelection';
import { AppConfig } from '../shared/config';
import { SCHEDULED_WORK } from '../shared/scheduledWork';
import { LocalDurableRuntime, openDurableStore } from './durableRuntime';
import { LocalEventRuntime } from './eventRuntime';
import { LocalHost, LocalHostOptions } from './host';
import { createLogger, Logger } from './logger';
import { ADMIN_PREFIX, findRepoRoot, staticFilesRoute } from './staticFiles';
import { devTokenRoute } from './devTokenRoute';
import { join } from 'node:path';
import { frontDoorRoute } from './frontDoor';
import { VERSION } from '../functions/meta.functions';
import type { PollPacing } from './storageTriggers/pollLoop';
import type {
  LocalStorage,
  RunningStorageTriggers,
  startStorageTriggers as StartStorageTriggers,
} from './storageTriggers/startStorageTriggers';

export interface RunningLocal {
  url: string;
  /** The composed app (tests read its store). */
  app: ComposedApp;
  host: LocalHost;
  durable: LocalDurableRuntime;
  events: LocalEventRuntime;
  /** The storage the queue and blob triggers poll (Azurite in process unless configured otherwise). */
  storage: Omit<LocalStorage, 'stop'>;
  /** Graceful stop: the HTTP server drains, the durable engine finishes in-flight work, the store closes. */
  stop(): Promise<void>;
}

export interface StartLocalOptions {
  logger?: Logger;
  overrides?: AppOverrides;
  host?: Pick<LocalHostOptions, 'headersTimeoutMs' | 'requestTimeoutMs' | 'connectionsCheckingIntervalMs'>;
  /** How often idle storage triggers poll (tests poll faster). */
  storagePacing?: PollPacing;
}

/** Everything of the embedded runtime but the public HTTP listener: what a cluster primary runs (local/cluster.ts). */
export interface RunningBackground {
  app: ComposedApp;
  durable: LocalDurableRuntime;
  events: LocalEventRuntime;
  /** The storage the queue and blob triggers poll (Azurite in process unless configured otherwise). */
  storage: Omit<LocalStorage, 'stop'>;
  /** Stops the triggers, the scheduled work, the events, the durable engine, then closes the store and Azurite. */
  stop(): Promise<void>;
}

/** How the local host reaches the durable engine: in this process, or a cluster primary's (local/clusterLink.ts). */
export type DurableHostHooks = Pick<LocalHostOptions, 'extraInputsOf' | 'decorateContext'> & {
  managementRoute: NonNullable<LocalHostOptions['rawRoutes']>[number];
};

/**
 * The embedded runtime's composition: the app (its store chosen by shared/adapterSelection.ts), the
 * durable engine over its SQLite store, the event bus for hosting 'local' with the outbox relay and
 * consumers, the scheduled work on intervals, and the local host serving every registered function.
 */
export async function startLocal(config: AppConfig, options: StartLocalOptions = {}): Promise<RunningLocal> {
  const logger = options.logger ?? createLogger(config.logLevel);
  let served: LocalHost | undefined;
  // The host listens before the engine and the relay start, as it always did.
  const background = await startBackground(config, { ...options, logger }, async (app, durable) => {
    const host = createLocalHost(app, config, durable, logger, options.host);
    await host.start();
    durable.usePublicBaseUrl(loopbackUrl(host));
    served = host;
  });
  const host = served;
  if (!host) throw new Error('The local host did not start.');
  const { app, durable, events, storage } = background;
  return {
    url: `http://localhost:${host.port}`,
    app,
    host,
    durable,
    events,
    storage,
    stop: async () => {
      await host.stop();
      await background.stop();
    },
  };
}

/**
 * The app, the durable engine (with its loopback management listener), the events and the scheduled
 * work: the single process runs these beside its host (`serve`, called once the app and the durable
 * runtime exist, before the engine and the relay start); a cluster primary runs only these, and its
 * workers serve HTTP.
 */
export async function startBackground(
  config: AppConfig,
  options: StartLocalOptions = {},
  serve?: (app: ComposedApp, durable: LocalDurableRuntime) => Promise<void>,
): Promise<RunningBackground> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const app = await createApp(config, {
    log: (level, message) => (level === 'warn' ? logger.log('warning', message) : logger.info(message)),
    ...options.overrides,
  });
  const durable = new LocalDurableRuntime(openDurableStore(config.dataDir), app, logger);
  try {
    await serve?.(app, durable);
  } catch (error) {
    await durable.stop();
    await app.close();
    throw error;
  }
  // The storage side loads only here (HTTP workers never do): Azurite, then the triggers once the
  // engine runs. A port Azurite cannot have only turns the triggers off.
  const { startLocalStorage, startStorageTriggers } = await import('./storageTriggers/startStorageTriggers');
  const storage = await startLocalStorage(config, logger);
  await durable.start();
  const events = new LocalEventRuntime(await createEventBus(config, 'local'), app, durable, logger);
  await events.start();
  // Housekeeping: the jobs Azure runs as timer triggers, here on an interval.
  const timers = SCHEDULED_WORK.map((work) =>
    setInterval(() => void work.run(app).catch((e) => logger.error(`${work.name} failed`, e)), work.everyMs).unref(),
  );
  // The queue and blob triggers, polled as the Functions host would, once the durable engine runs.
  const triggers = storage.connectionString
    ? startTriggersOrWarn(startStorageTriggers, storage.connectionString, app, durable, logger, options.storagePacing)
    : undefined;
  return {
    app,
    durable,
    events,
    storage: { connectionString: storage.connectionString, azurite: storage.azurite },
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await triggers?.stop();
      await events.stop();
      await durable.stop();
      await app.close();
      await storage.stop();
    },
  };
}

/** The local host serving every registered function of `app`, the durable management routes and the static pages. */
export function createLocalHost(
  app: ComposedApp,
  config: AppConfig,
  durable: DurableHostHooks,
  logger: Logger,
  limits: StartLocalOptions['host'] & Pick<LocalHostOptions, 'mayAnswerServerError'> = {},
): LocalHost {
  return new LocalHost(
    buildHttpRegistry(async () => app),
    {
      port: config.port,
      hostnames: config.listenHosts,
      trustProxy: config.trustProxy,
      ...limits,
      // Sign-in pages on a related origin call the ceremony routes from there: CORS allows what the origin check allows.
      corsOrigins: ceremonyOrigins(config.origins, config.relatedOrigins),
      logger,
      rawRoutes: [
        durable.managementRoute,
        frontDoorRoute({
          version: VERSION,
          node: process.version,
          store: app.adapters.store,
          rpId: config.rpId,
          demoTenant: app.demoTenant,
        }),
        staticFilesRoute(),
        // The admin console; its local sign-in route exists only while dev tokens are accepted (no Entra tenant).
        ...(config.entra ? [] : [devTokenRoute(app.devTokens, { trustProxy: config.trustProxy })]),
        staticFilesRoute({ prefix: ADMIN_PREFIX, webDir: join(findRepoRoot(), 'admin'), mapped: {} }),
      ],
      extraInputsOf: durable.extraInputsOf,
      decorateContext: durable.decorateContext,
    },
  );
}

/** Where this process reaches its own host: a loopback address it listens on (the durable client calls it). */
export function loopbackUrl(host: LocalHost): string {
  const addresses = host.addresses.map((a) => a.address);
  if (addresses.some((a) => a === '127.0.0.1' || a === '0.0.0.0')) return `http://127.0.0.1:${host.port}`;
  if (addresses.some((a) => a === '::1' || a === '::')) return `http://[::1]:${host.port}`;
  return `http://${addresses[0].includes(':') ? `[${addresses[0]}]` : addresses[0]}:${host.port}`;
}

/** A connection string the Storage SDKs refuse (e.g. one without a queue endpoint) turns the triggers off, never the start. */
function startTriggersOrWarn(
  start: typeof StartStorageTriggers,
  ...args: Parameters<typeof StartStorageTriggers>
): RunningStorageTriggers | undefined {
  try {
    return start(...args);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    args[3].log(
      'warning',
      `AzureWebJobsStorage cannot be used for the queue and blob triggers (${reason}); they are off.`,
    );
    return undefined;
  }
}
