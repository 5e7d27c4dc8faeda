import { join } from 'node:path';
import { storageTriggerFunctions } from '../../functions/registry';
import type { App } from '../../shared/app';
import type { AppConfig } from '../../shared/config';
import type { RunningAzurite } from '../azurite/startAzurite';
import type { LocalDurableRuntime } from '../durableRuntime';
import type { Logger } from '../logger';
import { StorageBlobPoller } from './blobPoller';
import type { PollPacing } from './pollLoop';
import { StorageQueuePoller } from './queuePoller';

/** Idle pollers back off to this (the host's default is a minute; a laptop wants a queued job to start soon). */
export const DEFAULT_STORAGE_PACING: PollPacing = { minMs: 100, maxMs: 2000 };

/** The storage the triggers read on this machine, and the embedded Azurite when it runs. */
export interface LocalStorage {
  /** The connection string the pollers use; undefined when the storage triggers are off. */
  connectionString?: string;
  azurite?: RunningAzurite;
  stop(): Promise<void>;
}

/**
 * The storage of the embedded runtime (the primary process only): Azurite in process under
 * `DATA_DIR/azurite` unless AZURITE=off or AzureWebJobsStorage names other storage, which is then
 * used as is. When Azurite cannot start (its port is taken) the service goes on without storage
 * triggers, saying so in one line: HTTP is served as usual.
 */
export async function startLocalStorage(config: AppConfig, logger: Logger): Promise<LocalStorage> {
  const { storage } = config;
  if (storage.azurite) {
    // Loaded here, not at import: Azurite brings Application Insights, whose require hook then slows
    // every module loaded after it, and only the process that runs Azurite should pay for it.
    const { AzuritePortInUseError, startAzurite } = await import('../azurite/startAzurite');
    try {
      const azurite = await startAzurite({
        location: join(config.dataDir, 'azurite'),
        blobPort: storage.azuriteBlobPort,
        queuePort: storage.azuriteQueuePort,
      });
      logger.info(
        `Azurite (development storage) in process: Blob http://127.0.0.1:${azurite.blobPort}, Queue http://127.0.0.1:${azurite.queuePort}, data ${join(config.dataDir, 'azurite')}`,
      );
      return { connectionString: azurite.connectionString, azurite, stop: () => azurite.stop() };
    } catch (e) {
      const reason = e instanceof AzuritePortInUseError ? e.message : `Azurite did not start: ${String(e)}`;
      logger.log('warning', `${reason} The queue and blob triggers are off; HTTP is served as usual.`);
      return { stop: async () => {} };
    }
  }
  if (storage.connection) return { connectionString: storage.connection, stop: async () => {} };
  logger.info('Storage triggers off (AZURITE=off and no AzureWebJobsStorage)');
  return { stop: async () => {} };
}

/** The pollers running every declared queue and blob trigger against `connectionString`. */
export interface RunningStorageTriggers {
  queues: StorageQueuePoller[];
  blobs: StorageBlobPoller[];
  stop(): Promise<void>;
}

/** Starts a poller per declared storage trigger (functions/registry.ts), as the Functions host would run them. */
export function startStorageTriggers(
  connectionString: string,
  app: App,
  durable: Pick<LocalDurableRuntime, 'inputsFor' | 'attachClient'>,
  logger: Logger,
  pacing: PollPacing = DEFAULT_STORAGE_PACING,
): RunningStorageTriggers {
  const declared = storageTriggerFunctions();
  const queues = declared.queues.map(
    (fn) => new StorageQueuePoller(fn, connectionString, app, durable, logger, pacing),
  );
  const blobs = declared.blobs.map((fn) => new StorageBlobPoller(fn, connectionString, app, durable, logger, pacing));
  for (const poller of [...queues, ...blobs]) poller.start();
  return {
    queues,
    blobs,
    stop: async () => {
      await Promise.all([...queues, ...blobs].map((poller) => poller.stop()));
    },
  };
}
