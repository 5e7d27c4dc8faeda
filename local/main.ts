import { loadConfig } from '../shared/config';
import { VERSION } from '../functions/meta.functions';
import { readyBanner } from './frontDoor';
import { createLogger } from './logger';
import { isClusterWorker, runClusterWorker, startCluster, workersSetting } from './cluster';
import { limitHeapGrowth } from './heapGrowth';
import { startLocal } from './startLocal';

/** How often the server checks that the process that started it (npm, scripts/start.js) is still there. */
const PARENT_CHECK_MS = 1000;

/**
 * `npm start`: the service on the embedded runtime, until SIGINT/SIGTERM/SIGHUP or its parent goes
 * away. With WORKERS above 1 (the default `auto` on a machine with several cores) this process is
 * the cluster primary and HTTP is served by worker processes (local/cluster.ts).
 */
async function main(): Promise<void> {
  // Before the app is built, in the primary and in every worker (issue 10: peak RSS flat with job size).
  limitHeapGrowth();
  const config = loadConfig();
  if (isClusterWorker()) return runClusterWorker(config);
  const workers = workersSetting(process.env.WORKERS);
  const logger = createLogger(config.logLevel);
  // One bad request or a forgotten promise must not take the whole service down: log and go on.
  process.on('unhandledRejection', (reason) =>
    logger.error('unhandled promise rejection (the service keeps running)', reason),
  );
  process.on('uncaughtException', (error) => logger.error('uncaught exception (the service keeps running)', error));
  // Signals are taken from the start: a cluster's first worker serves before the last one listens,
  // and a stop asked for meanwhile happens as soon as the start completes.
  const service: { running?: { stop(): Promise<void> } } = {};
  let requested: string | undefined;
  let stopping = false;
  let forced = false;
  const stopNow = (service: { stop(): Promise<void> }, reason: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${reason}, shutting down`);
    service.stop().then(
      () => process.exit(0),
      (e) => {
        logger.error('shutdown failed', e);
        process.exit(1);
      },
    );
  };
  const shutdown = (reason: string) => {
    if (!forced) setTimeout(() => process.exit(1), 10_000).unref();
    forced = true;
    if (service.running) stopNow(service.running, reason);
    else requested ??= reason;
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

  const started =
    workers > 1
      ? await startCluster(config, { logger, workers })
      : await startLocal(config, { logger }).then((single) => ({
          ...single,
          addresses: single.host.addresses.map((a) => a.address),
          workers: 1,
        }));
  logger.info(
    `Passkey service ${VERSION} listening on ${started.url} (addresses: ${started.addresses.join(', ')}; ${started.workers > 1 ? `${started.workers} HTTP workers` : 'one process'}; store: ${started.app.adapters.store}, data: ${config.dataDir}, RP ID: ${config.rpId})`,
  );
  // On stdout whatever LOG_LEVEL says: the first thing a new user reads after `npm start`.
  process.stdout.write(`${readyBanner(started.url, started.app.demoTenant)}\n`);
  service.running = started;
  if (requested !== undefined) stopNow(started, requested);
}

main().catch((e) => {
  process.stderr.write(`Failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
