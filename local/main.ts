import { loadConfig } from '../shared/config';
import { VERSION } from '../functions/meta.functions';
import { createLogger } from './logger';
import { startLocal } from './startLocal';

/** `npm start`: the service on the embedded runtime, until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const running = await startLocal(config, { logger });
  logger.info(`Passkey service ${VERSION} listening on ${running.url} (store: ${running.app.store.kind}, data: ${config.dataDir}, RP ID: ${config.rpId})`);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received, shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    running.stop().then(
      () => process.exit(0),
      (e) => {
        logger.error('shutdown failed', e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e) => {
  process.stderr.write(`Failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
