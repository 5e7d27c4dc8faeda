// Azurite 3.35 ships JavaScript only (its package `main` is the VS Code extension): the few classes
// of its programmatic API the embedded runtime uses, typed as node_modules/azurite/dist/src declares
// them (BlobConfiguration.js, QueueConfiguration.js, common/ServerBase.js).

declare module 'azurite/dist/src/common/ServerBase' {
  /** An Azurite service: one HTTP server over its Loki metadata store and extent files. */
  export default class ServerBase {
    /** `http://host:port` once listening (the real port when 0 was asked), else ''. */
    getHttpServerAddress(): string;
    getStatus(): 'Closed' | 'Starting' | 'Running' | 'Closing';
    start(): Promise<void>;
    close(): Promise<void>;
    /**
     * Closes the stores and timers `start()` opens before it listens; `close()` calls it, but only
     * while running, so a start that failed to listen (port taken) is cleaned up with this.
     */
    afterClose(): Promise<void>;
  }
}

declare module 'azurite/dist/src/common/persistence/IExtentStore' {
  export interface StoreDestinationArray {
    locationId: string;
    locationPath: string;
    maxConcurrency: number;
  }
}

declare module 'azurite/dist/src/common/ConfigurationBase' {
  import type { StoreDestinationArray } from 'azurite/dist/src/common/persistence/IExtentStore';
  /** The constructor arguments BlobConfiguration and QueueConfiguration share, in their order. */
  export type ServiceConfigurationArgs = [
    host: string,
    port: number,
    keepAliveTimeout: number,
    metadataDBPath: string,
    extentDBPath: string,
    persistencePathArray: StoreDestinationArray[],
    enableAccessLog: boolean,
    accessLogWriteStream: NodeJS.WritableStream | undefined,
    enableDebugLog: boolean,
    debugLogFilePath: string | undefined,
    loose: boolean,
    skipApiVersionCheck: boolean,
  ];
}

declare module 'azurite/dist/src/blob/BlobConfiguration' {
  import type { ServiceConfigurationArgs } from 'azurite/dist/src/common/ConfigurationBase';
  export default class BlobConfiguration {
    constructor(...args: ServiceConfigurationArgs);
  }
}

declare module 'azurite/dist/src/queue/QueueConfiguration' {
  import type { ServiceConfigurationArgs } from 'azurite/dist/src/common/ConfigurationBase';
  export default class QueueConfiguration {
    constructor(...args: ServiceConfigurationArgs);
  }
}

declare module 'azurite/dist/src/blob/BlobServer' {
  import ServerBase from 'azurite/dist/src/common/ServerBase';
  import BlobConfiguration from 'azurite/dist/src/blob/BlobConfiguration';
  export default class BlobServer extends ServerBase {
    constructor(configuration: BlobConfiguration);
  }
}

declare module 'azurite/dist/src/queue/QueueServer' {
  import ServerBase from 'azurite/dist/src/common/ServerBase';
  import QueueConfiguration from 'azurite/dist/src/queue/QueueConfiguration';
  export default class QueueServer extends ServerBase {
    constructor(configuration: QueueConfiguration);
  }
}
