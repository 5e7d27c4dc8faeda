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

export interface RunningLocal {
  url: string;
  /** The composed app (tests read its store). */
  app: ComposedApp;
  host: LocalHost;
  durable: LocalDurableRuntime;
  events: LocalEventRuntime;
  /** Graceful stop: the HTTP server drains, the durable engine finishes in-flight work, the store closes. */
  stop(): Promise<void>;
}

/**
 * The embedded runtime's composition: the app (its store chosen by shared/adapterSelection.ts), the
 * durable engine over its SQLite store, the event bus for hosting 'local' with the outbox relay and
 * consumers, the scheduled work on intervals, and the local host serving every registered function.
 */
export async function startLocal(
  config: AppConfig,
  options: {
    logger?: Logger;
    overrides?: AppOverrides;
    host?: Pick<LocalHostOptions, 'headersTimeoutMs' | 'requestTimeoutMs' | 'connectionsCheckingIntervalMs'>;
  } = {},
): Promise<RunningLocal> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const app = await createApp(config, {
    log: (level, message) => (level === 'warn' ? logger.log('warning', message) : logger.info(message)),
    ...options.overrides,
  });
  const durable = new LocalDurableRuntime(openDurableStore(config.dataDir), app, logger);
  const host = new LocalHost(
    buildHttpRegistry(async () => app),
    {
      port: config.port,
      hostnames: config.listenHosts,
      trustProxy: config.trustProxy,
      ...options.host,
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
  await host.start();
  await durable.start(loopbackUrl(host));
  const events = new LocalEventRuntime(await createEventBus(config, 'local'), app, durable, logger);
  await events.start();
  // Housekeeping: the jobs Azure runs as timer triggers, here on an interval.
  const timers = SCHEDULED_WORK.map((work) =>
    setInterval(() => void work.run(app).catch((e) => logger.error(`${work.name} failed`, e)), work.everyMs).unref(),
  );
  return {
    url: `http://localhost:${host.port}`,
    app,
    host,
    durable,
    events,
    stop: async () => {
      for (const timer of timers) clearInterval(timer);
      await host.stop();
      await events.stop();
      await durable.stop();
      await app.close();
    },
  };
}

/** Where this process reaches its own host: a loopback address it listens on (the durable client calls it). */
function loopbackUrl(host: LocalHost): string {
  const addresses = host.addresses.map((a) => a.address);
  if (addresses.some((a) => a === '127.0.0.1' || a === '0.0.0.0')) return `http://127.0.0.1:${host.port}`;
  if (addresses.some((a) => a === '::1' || a === '::')) return `http://[::1]:${host.port}`;
  return `http://${addresses[0].includes(':') ? `[${addresses[0]}]` : addresses[0]}:${host.port}`;
}
