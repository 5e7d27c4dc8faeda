import { buildHttpRegistry } from '../functions/registry';
import { App, AppOverrides, createApp } from '../shared/app';
import { AppConfig } from '../shared/config';
import { LocalHost } from './host';
import { createLogger, Logger } from './logger';

export interface RunningLocal {
  url: string;
  app: App;
  host: LocalHost;
  /** Graceful stop: the HTTP server drains, then the store closes. */
  stop(): Promise<void>;
}

/** Builds the app from the configuration and serves every registered function on the local host. */
export async function startLocal(config: AppConfig, options: { logger?: Logger; overrides?: AppOverrides } = {}): Promise<RunningLocal> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const app = await createApp(config, options.overrides);
  const host = new LocalHost(buildHttpRegistry(async () => app), { port: config.port, corsOrigins: config.origins, logger });
  const url = await host.start();
  return {
    url,
    app,
    host,
    stop: async () => {
      await host.stop();
      await app.close();
    },
  };
}
