import { loadConfig } from '../shared/config';
import { VERSION } from '../functions/meta.functions';
import { readyBanner } from './frontDoor';
import { createLogger } from './logger';
import { startLocal } from './startLocal';

/** How often the server checks that the process that started it (npm, scripts/start.js) is still there. */
const PARENT_CHECK_MS = 1000;

/** `npm start`: the service on the embedded runtime, until SIGINT/SIGTERM/SIGHUP or its parent goes away. */
async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  // One bad request or a forgotten promise must not take the whole service down: log and go on.
  process.on('unhandledRejection', (reason) =>
    logger.error('unhandled promise rejection (the service keeps running)', reason),
  );
  process.on('uncaughtException', (error) => logger.error('uncaught exception (the service keeps running)', error));
  const running = await startLocal(config, { logger });
  logger.info(
    `Passkey service ${VERSION} listening on ${running.url} (addresses: ${running.host.addresses.map((a) => a.address).join(', ')}; store: ${running.app.adapters.store}, data: ${config.dataDir}, RP ID: ${config.rpId})`,
  );
  // On stdout whatever LOG_LEVEL says: the first thing a new user reads after `npm start`.
  process.stdout.write(`${readyBanner(running.url, running.app.demoTenant)}\n`);
  let stopping = false;
  const shutdown = (reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${reason}, shutting down`);
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
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => shutdown(`${signal} received`));
  // When npm (or scripts/start.js) is killed with SIGKILL no signal reaches us; the kernel then
  // re-parents this process, which is how we notice and free the port.
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) shutdown(`parent process ${parent} exited`);
  }, PARENT_CHECK_MS);
  watch.unref();
}

main().catch((e) => {
  process.stderr.write(`Failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
