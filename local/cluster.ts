import cluster, { Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { createApp, ComposedApp } from '../shared/app';
import { AppConfig } from '../shared/config';
import { registerRelayHealth, relayHealthOf, RelayStatus } from '../shared/services/events/relayHealth';
import type { DurableManagementResponse } from './durable';
import { ClusterMessage, isClusterMessage, MirroredRelayHealth, RemoteDurableClient } from './clusterLink';
import type { DurableManagementCall } from './durableRuntime';
import { createLogger, Logger } from './logger';
import { createLocalHost, loopbackUrl, startBackground } from './startLocal';

/** `WORKERS=auto` uses the cores there are, but not more than this (each worker holds a whole app). */
export const MAX_AUTO_WORKERS = 4;
const MAX_WORKERS = 64;
/** How often the primary tells the workers how its outbox relay is doing (their /health shows it). */
const RELAY_STATUS_EVERY_MS = 250;
/** A worker that does not listen within this is taken as failed (start-up imports the whole app). */
const WORKER_START_MS = 60_000;
/** Time the workers get to drain their connections on stop before they are killed. */
const WORKER_STOP_MS = 8_000;
/** A replacement for a crashed worker waits this long, doubled while workers keep crashing young. */
const RESTART_DELAY_MS = 100;
const MAX_RESTART_DELAY_MS = 5_000;
/** How long a worker's 5xx waits to learn whether its primary just died (then it answers nothing). */
const PRIMARY_GONE_CHECK_MS = 20;
/** A worker that lived this long was healthy: the next crash restarts it at once again. */
const HEALTHY_AFTER_MS = 10_000;

/**
 * WORKERS: how many HTTP worker processes the local host runs. `auto` (the default) is one per core
 * (node:os availableParallelism), at most {@link MAX_AUTO_WORKERS}; `1` serves HTTP in the one
 * process, as before the cluster mode.
 * @throws Error naming the setting and what it received otherwise.
 */
export function workersSetting(value: string | undefined, parallelism = availableParallelism()): number {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === 'auto') return Math.max(1, Math.min(parallelism, MAX_AUTO_WORKERS));
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS)
    throw new Error(
      `Setting WORKERS must be 'auto' or a whole number from 1 to ${MAX_WORKERS}; received ${JSON.stringify(value)}.`,
    );
  return n;
}

/** The cluster as `npm start` reports it. */
export interface RunningCluster {
  url: string;
  /** The addresses the workers listen on. */
  addresses: string[];
  /** The primary's app (the store, demo tenant and adapters it reports). */
  app: ComposedApp;
  workers: number;
  /** SIGTERM's path: the workers drain and exit, then the durable engine, the events and the store stop. */
  stop(): Promise<void>;
}

const send = (target: Worker | NodeJS.Process, message: ClusterMessage) => {
  if ('isConnected' in target) {
    if (target.isConnected()) target.send(message);
  } else if (target.connected && target.send) {
    target.send(message);
  }
};

/**
 * The primary of the local host's cluster mode: one app with the one durable engine (and its
 * loopback management listener), the event relay and consumers, the scheduled work — whatever
 * startBackground runs — and `workers` forked HTTP workers sharing the public port (node:cluster
 * hands connections round-robin). Migrations run here, before any worker opens the store. A worker
 * that dies is replaced; a worker that fails to start fails the start.
 */
export async function startCluster(
  config: AppConfig,
  options: { logger: Logger; workers: number },
): Promise<RunningCluster> {
  const { logger } = options;
  const background = await startBackground(config, { logger });
  const relayStatus = (): RelayStatus | null => relayHealthOf(background.app)?.status() ?? null;
  let stopping = false;
  let restartDelay = RESTART_DELAY_MS;
  const live = new Set<Worker>();
  const readiness = new Map<
    Worker,
    { ready: (m: { port: number; addresses: string[] }) => void; fail: (e: Error) => void }
  >();

  const answerDurable = async (worker: Worker, id: number, call: DurableManagementCall) => {
    let response: DurableManagementResponse;
    try {
      response = await background.durable.serveManagement(call);
    } catch (error) {
      logger.error('durable management call from a worker failed', error);
      response = {
        status: 500,
        headers: { 'Content-Type': 'application/json; charset=utf-8' },
        body: JSON.stringify({ message: `Local durable engine error: ${(error as Error).message}` }),
      };
    }
    send(worker, { kind: 'passkeys:durableAnswer', id, response });
  };

  // An outcome recorded here (the activities run here) or in one worker wakes the waits in all the others.
  const outcomes = background.app.provisioningJobs.outcomes;
  const tellOutcome = (jobId: string, userId: string, except?: Worker) => {
    for (const worker of live) if (worker !== except) send(worker, { kind: 'passkeys:outcome', jobId, userId });
  };
  outcomes.onRecorded = (jobId, userId) => tellOutcome(jobId, userId);

  const fork = (): Worker => {
    const worker = cluster.fork();
    const startedAt = Date.now();
    live.add(worker);
    worker.on('message', (message: unknown) => {
      if (!isClusterMessage(message)) return;
      if (message.kind === 'passkeys:hello')
        send(worker, { kind: 'passkeys:init', rpcBaseUrl: background.durable.rpcBaseUrl, relay: relayStatus() });
      else if (message.kind === 'passkeys:ready') readiness.get(worker)?.ready(message);
      else if (message.kind === 'passkeys:failed') readiness.get(worker)?.fail(new Error(message.message));
      else if (message.kind === 'passkeys:durableCall') void answerDurable(worker, message.id, message.call);
      else if (message.kind === 'passkeys:outcome') {
        outcomes.wake(message.jobId, message.userId);
        tellOutcome(message.jobId, message.userId, worker);
      }
    });
    worker.on('exit', (code, signal) => {
      live.delete(worker);
      readiness.get(worker)?.fail(new Error(`An HTTP worker exited while starting (${signal ?? `code ${code}`}).`));
      if (stopping) return;
      const crashedYoung = Date.now() - startedAt < HEALTHY_AFTER_MS;
      restartDelay = crashedYoung ? Math.min(restartDelay * 2, MAX_RESTART_DELAY_MS) : RESTART_DELAY_MS;
      logger.error(
        `HTTP worker ${worker.id} (pid ${worker.process.pid}) exited (${signal ?? `code ${code}`}); starting another in ${restartDelay} ms`,
      );
      setTimeout(() => {
        if (!stopping) whenReady(fork()).catch((e) => logger.error('a replacement HTTP worker failed to start', e));
      }, restartDelay).unref();
    });
    return worker;
  };

  const whenReady = (worker: Worker) =>
    new Promise<{ port: number; addresses: string[] }>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`An HTTP worker did not listen within ${WORKER_START_MS / 1000} s.`)),
        WORKER_START_MS,
      );
      timer.unref();
      const settle = () => {
        clearTimeout(timer);
        readiness.delete(worker);
      };
      readiness.set(worker, {
        ready: (m) => {
          settle();
          resolve(m);
        },
        fail: (e) => {
          settle();
          reject(e);
        },
      });
    });

  const stopWorkers = async () => {
    stopping = true;
    const exits = [...live].map(
      (worker) =>
        new Promise<void>((resolve) => {
          if (worker.isDead()) return resolve();
          worker.once('exit', () => resolve());
          send(worker, { kind: 'passkeys:stop' });
          setTimeout(() => worker.process.kill('SIGKILL'), WORKER_STOP_MS).unref();
        }),
    );
    await Promise.all(exits);
  };

  const relayTimer = setInterval(() => {
    const relay = relayStatus();
    for (const worker of live) send(worker, { kind: 'passkeys:relay', relay });
  }, RELAY_STATUS_EVERY_MS);
  relayTimer.unref();

  let first: { port: number; addresses: string[] };
  try {
    const started = await Promise.all(Array.from({ length: options.workers }, () => whenReady(fork())));
    first = started[0];
  } catch (error) {
    clearInterval(relayTimer);
    await stopWorkers();
    await background.stop();
    throw error;
  }
  return {
    url: `http://localhost:${first.port}`,
    addresses: first.addresses,
    app: background.app,
    workers: options.workers,
    stop: async () => {
      clearInterval(relayTimer);
      await stopWorkers();
      await background.stop();
    },
  };
}

/**
 * One HTTP worker of the cluster: its own app over the same store (caches follow the store's change
 * counters, rate limits live in the store, challenges are single use in the store), the local host
 * on the shared port, and the primary's durable engine through {@link RemoteDurableClient}. Stops
 * when the primary says so or on a signal (draining its connections), and at once should the
 * primary vanish (node:cluster exits a worker whose IPC channel closes).
 */
export async function runClusterWorker(config: AppConfig): Promise<void> {
  const id = cluster.worker?.id ?? 0;
  const logger = createLogger(config.logLevel, (line) => process.stderr.write(`[worker ${id}] ${line}\n`));
  process.on('unhandledRejection', (reason) =>
    logger.error('unhandled promise rejection (the service keeps running)', reason),
  );
  process.on('uncaughtException', (error) => logger.error('uncaught exception (the service keeps running)', error));

  let nextCall = 0;
  const pending = new Map<number, (response: DurableManagementResponse) => void>();
  let mirror: MirroredRelayHealth | undefined;
  let app: ComposedApp | undefined;
  const mirrorRelay = (relay: RelayStatus | null) => {
    if (!relay || !app) return;
    if (mirror) mirror.update(relay);
    else registerRelayHealth(app, (mirror = new MirroredRelayHealth(relay)));
  };
  let stop: (() => void) | undefined;
  let stopRequested = false;
  const init = new Promise<{ rpcBaseUrl: string; relay: RelayStatus | null }>((resolve) => {
    process.on('message', (message: unknown) => {
      if (!isClusterMessage(message)) return;
      if (message.kind === 'passkeys:init') resolve(message);
      else if (message.kind === 'passkeys:relay') mirrorRelay(message.relay);
      else if (message.kind === 'passkeys:outcome') app?.provisioningJobs.outcomes.wake(message.jobId, message.userId);
      else if (message.kind === 'passkeys:durableAnswer') {
        pending.get(message.id)?.(message.response);
        pending.delete(message.id);
      } else if (message.kind === 'passkeys:stop') {
        stopRequested = true;
        stop?.();
      }
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
    process.on(signal, () => {
      stopRequested = true;
      stop?.();
    });
  send(process, { kind: 'passkeys:hello' });

  try {
    const [link, built] = await Promise.all([init, createApp(config)]);
    app = built;
    mirrorRelay(link.relay);
    built.provisioningJobs.outcomes.onRecorded = (jobId, userId) =>
      send(process, { kind: 'passkeys:outcome', jobId, userId });
    const durable = new RemoteDurableClient(
      link.rpcBaseUrl,
      (call) =>
        new Promise((resolve) => {
          const callId = ++nextCall;
          pending.set(callId, resolve);
          send(process, { kind: 'passkeys:durableCall', id: callId, call });
        }),
    );
    const host = createLocalHost(built, config, durable, logger, {
      // The primary's death reaches a worker as two events in no set order: its durable calls fail,
      // and the IPC channel closes. A moment later it is known which happened, and the worker exits.
      mayAnswerServerError: async () => {
        await new Promise((resolve) => setTimeout(resolve, PRIMARY_GONE_CHECK_MS));
        return process.connected === true;
      },
    });
    await host.start();
    durable.usePublicBaseUrl(loopbackUrl(host));
    let stopping = false;
    stop = () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => process.exit(1), WORKER_STOP_MS).unref();
      host
        .stop()
        .then(() => built.close())
        .then(
          () => process.exit(0),
          (e) => {
            logger.error('worker shutdown failed', e);
            process.exit(1);
          },
        );
    };
    logger.info(`HTTP worker ${id} (pid ${process.pid}) listening on port ${host.port}`);
    send(process, {
      kind: 'passkeys:ready',
      port: host.port,
      addresses: host.addresses.map((a) => a.address),
    });
    if (stopRequested) stop();
  } catch (error) {
    logger.error('HTTP worker failed to start', error);
    const failed: ClusterMessage = {
      kind: 'passkeys:failed',
      message: error instanceof Error ? error.message : String(error),
    };
    if (process.send) process.send(failed, undefined, {}, () => process.exit(1));
    else process.exit(1);
  }
}

/** Whether this process is a cluster worker of the local host (forked by {@link startCluster}). */
export const isClusterWorker = (): boolean => cluster.isWorker;
