import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import BlobConfiguration from 'azurite/dist/src/blob/BlobConfiguration';
import BlobServer from 'azurite/dist/src/blob/BlobServer';
import type { ServiceConfigurationArgs } from 'azurite/dist/src/common/ConfigurationBase';
import type ServerBase from 'azurite/dist/src/common/ServerBase';
import QueueConfiguration from 'azurite/dist/src/queue/QueueConfiguration';
import QueueServer from 'azurite/dist/src/queue/QueueServer';
import { developmentConnectionString } from './developmentAccount';

/** Where and on which ports Azurite's Blob and Queue services run. */
export interface AzuriteOptions {
  /** The data folder (`DATA_DIR/azurite`): Azurite's Loki databases and extent files. */
  location: string;
  /** 0 = a free port (tests). */
  blobPort: number;
  queuePort: number;
  /** Loopback only by default, as Azurite's own default. */
  host?: string;
}

/** Azurite's Blob and Queue services, running in this process. */
export interface RunningAzurite {
  blobPort: number;
  queuePort: number;
  /** The development account's connection string on the ports actually listened on. */
  connectionString: string;
  /** Stops both services and closes their stores. */
  stop(): Promise<void>;
}

/** A port Azurite needs is taken (e.g. another Azurite, or a second `npm start`). */
export class AzuritePortInUseError extends Error {
  constructor(
    readonly service: 'Blob' | 'Queue',
    readonly host: string,
    readonly port: number,
  ) {
    super(
      `Azurite ${service} cannot listen on ${host}:${port}: the port is in use (another Azurite or a second npm start?). ` +
        `Set AZURITE_${service.toUpperCase()}_PORT to another port, or AZURITE=off with AzureWebJobsStorage pointing at the storage already running.`,
    );
    this.name = 'AzuritePortInUseError';
  }
}

const KEEP_ALIVE_SECONDS = 5; // Azurite's default
const EXTENT_WRITE_CONCURRENCY = 50; // Azurite's default per location

/**
 * Starts Azurite's Blob and Queue services in process with its programmatic API (the classes its
 * CLI builds): data under `location`, loose mode and no API-version check (newer SDKs than this
 * Azurite knows), silent, no access log, no debug log. Throws {@link AzuritePortInUseError} when a
 * port is taken, having started nothing.
 */
export async function startAzurite(options: AzuriteOptions): Promise<RunningAzurite> {
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.location, { recursive: true });
  // Checked before Azurite opens its databases: a second process on the same DATA_DIR must not touch them.
  await ensureFree('Blob', host, options.blobPort);
  await ensureFree('Queue', host, options.queuePort);
  const blob = new BlobServer(
    new BlobConfiguration(...configurationArgs('blob', host, options.blobPort, options.location)),
  );
  const queue = new QueueServer(
    new QueueConfiguration(...configurationArgs('queue', host, options.queuePort, options.location)),
  );
  await listen(blob, 'Blob', host, options.blobPort);
  try {
    await listen(queue, 'Queue', host, options.queuePort);
  } catch (e) {
    await blob.close();
    throw e;
  }
  const blobPort = portOf(blob);
  const queuePort = portOf(queue);
  let stopped: Promise<void> | undefined;
  return {
    blobPort,
    queuePort,
    connectionString: developmentConnectionString({ blobPort, queuePort }, host),
    stop: () => (stopped ??= Promise.all([queue.close(), blob.close()]).then(() => undefined)),
  };
}

/**
 * One service's configuration as Azurite's CLI builds it: its Loki databases and extent folder under
 * `location`, no access or debug log, loose mode and no API-version check.
 */
function configurationArgs(
  service: 'blob' | 'queue',
  host: string,
  port: number,
  location: string,
): ServiceConfigurationArgs {
  const extents = [
    {
      locationId: 'Default',
      locationPath: join(location, `__${service}storage__`),
      maxConcurrency: EXTENT_WRITE_CONCURRENCY,
    },
  ];
  const metadataDb = join(location, `__azurite_db_${service}__.json`);
  const extentDb = join(location, `__azurite_db_${service}_extent__.json`);
  return [
    host,
    port,
    KEEP_ALIVE_SECONDS,
    metadataDb,
    extentDb,
    extents,
    false,
    undefined,
    false,
    undefined,
    true,
    true,
  ];
}

/** Starts one service; a failed listen still closes the stores and timers it opened first. */
async function listen(server: ServerBase, service: 'Blob' | 'Queue', host: string, port: number): Promise<void> {
  try {
    await server.start();
  } catch (e) {
    await server.afterClose().catch(() => undefined);
    if (isAddressInUse(e)) throw new AzuritePortInUseError(service, host, port);
    throw e;
  }
}

function ensureFree(service: 'Blob' | 'Queue', host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e) => reject(isAddressInUse(e) ? new AzuritePortInUseError(service, host, port) : e));
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

// Not `instanceof Error`: errors of Node's core modules come from another realm under Jest.
const isAddressInUse = (e: unknown) => typeof e === 'object' && e !== null && 'code' in e && e.code === 'EADDRINUSE';

function portOf(server: ServerBase): number {
  const port = Number(/:(\d+)$/.exec(server.getHttpServerAddress())?.[1]);
  if (!Number.isInteger(port)) throw new Error(`Azurite did not report its address (${server.getHttpServerAddress()})`);
  return port;
}
