import Database from 'better-sqlite3';
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createPrivateFile } from '../shared/adapters/sqlite/database';
import { cacheStatements } from '../shared/adapters/sqlite/statementCache';
import { join } from 'node:path';
import type { RegisteredHttpFunction } from '../functions/registry';
import { durableFunctions } from '../orchestrations/registry';
import type { App } from '../shared/app';
import {
  attachDurableClientInput,
  DURABLE_WEBHOOK_PATH,
  durableClientBindingData,
  durableManagementAnswer,
  durableManagementListener,
  DurableSystemKey,
  notServedHere,
  serveDurableClientInProcess,
  handleDurableManagementRequest,
  LocalDurableEngine,
  refuseWithoutSystemKey,
  SqliteDurableStore,
} from './durable';
import type { DurableClientBindingData, DurableManagementResponse, DurableStore } from './durable';
import type { IncomingHttpHeaders } from 'node:http';
import type { RawRoute } from './host';
import type { Logger } from './logger';

export const TASK_HUB = 'PasskeyHub';
/** The management listener the durable client calls: loopback only, never the public listener. */
const RPC_HOST = '127.0.0.1';

/** A management call as the public listener got it: the key is checked where the engine runs. */
export interface DurableManagementCall {
  method: string;
  /** The whole path, `/runtime/webhooks/durabletask/...`. */
  pathname: string;
  /** `?...` or empty. */
  search: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** The public origin the caller used (the links in the answer use it). */
  origin: string;
}

/** Whether a request path is one of the durable management routes. */
export const isManagementPath = (pathname: string): boolean =>
  pathname === DURABLE_WEBHOOK_PATH || pathname.startsWith(`${DURABLE_WEBHOOK_PATH}/`);

/** The engine's store, opened by the local composition (startLocal.ts); the runtime closes it on stop. */
export interface OpenDurableStore {
  store: DurableStore;
  close(): void;
}

/**
 * The embedded durable store: its own SQLite file (`durable.db` under DATA_DIR), so a restart
 * resumes every unfinished instance. On Azure the Functions host's durable backend (host.json) serves instead.
 */
export function openDurableStore(dataDir: string): OpenDurableStore {
  const file = join(dataDir, 'durable.db');
  createPrivateFile(file);
  const db = cacheStatements(new Database(file));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return { store: new SqliteDurableStore(db), close: () => db.close() };
}

/**
 * The local durable runtime: the engine over its own SQLite file (`durable.db` under DATA_DIR, so
 * a restart resumes every unfinished instance), the management routes the durable client calls,
 * and the durable client input for functions that declare one.
 *
 * Management calls need this process's system key (random per process, held only here and in
 * the durable client binding). The client calls a separate listener on 127.0.0.1 (as the Functions
 * host's local RPC endpoint), so it works whatever HOST the public listener binds; the same
 * routes on the public listener answer 401 to any caller without the key.
 */
export class LocalDurableRuntime {
  readonly engine: LocalDurableEngine;
  private readonly clientInput = df.input.durableClient();
  private readonly systemKey = DurableSystemKey.generate();
  private publicBaseUrl = 'http://127.0.0.1:7071';
  private rpcServer?: Server;
  private rpcOrigin = '';
  private stopInProcess?: () => void;
  /** A # field: util.inspect of the runtime must not show the key its rpcBaseUrl carries. */
  #binding?: DurableClientBindingData;

  constructor(
    private readonly durableStore: OpenDurableStore,
    app: App,
    logger: Logger,
  ) {
    this.engine = new LocalDurableEngine({
      store: durableStore.store,
      registry: durableFunctions(async () => app),
      concurrency: 8,
      logHandler: (level, ...args) => logger.log(level, '[durable]', ...args),
    });
  }

  /**
   * Opens the client's management listener and starts the engine (resuming unfinished
   * instances); `publicBaseUrl` is where the host listens (the origin of the binding's link templates).
   */
  async start(publicBaseUrl?: string): Promise<void> {
    if (publicBaseUrl) this.usePublicBaseUrl(publicBaseUrl);
    await this.openRpcListener();
    await this.engine.start();
  }

  /** Where the host listens, once it does (the origin of the binding's link templates). */
  usePublicBaseUrl(publicBaseUrl: string): void {
    this.publicBaseUrl = publicBaseUrl;
    this.#binding = undefined;
  }

  /**
   * What a cluster worker needs to reach this engine: the loopback management listener with the
   * system key in its userinfo. Only for this runtime's own workers, over their IPC channel.
   */
  get rpcBaseUrl(): string {
    return this.systemKey.withCredentials(`${this.rpcOrigin}${DURABLE_WEBHOOK_PATH}/`);
  }

  /** Origin of the loopback listener the durable client calls (it still requires the key). */
  get managementOrigin(): string {
    return this.rpcOrigin;
  }

  async stop(): Promise<void> {
    this.stopInProcess?.();
    this.stopInProcess = undefined;
    await this.engine.stop();
    const server = this.rpcServer;
    this.rpcServer = undefined;
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
    }
    this.durableStore.close();
  }

  /** The extra inputs a trigger declares: the durable client input when it uses `df.getClient`. */
  inputsFor = (usesDurableClient: boolean) => (usesDurableClient ? [this.clientInput] : []);

  /** Supplies the durable client input's data to a context built with {@link inputsFor}. */
  attachClient = (context: InvocationContext) => {
    // One binding data object while the addresses stay (as a cluster worker does): clients built
    // from it can be reused (functions/durable/durableClientOf.ts).
    this.#binding ??= durableClientBindingData(this.publicBaseUrl, TASK_HUB, {
      systemKey: this.systemKey,
      origin: this.rpcOrigin,
    });
    attachDurableClientInput(context, this.#binding);
  };

  extraInputsOf = (fn: RegisteredHttpFunction) => this.inputsFor(!!fn.definition.durableClient);

  decorateContext = (fn: RegisteredHttpFunction, context: InvocationContext) => {
    if (fn.definition.durableClient) this.attachClient(context);
  };

  /**
   * `/runtime/webhooks/durabletask/*` on the public listener, as Azure serves it: only with the
   * system key (`x-functions-key` or `code=`); links in its answers use the request's origin.
   */
  managementRoute: RawRoute = async (req, res, url, body) => {
    if (!isManagementPath(url.pathname)) return false;
    const response = await this.serveManagement({
      method: req.method ?? 'GET',
      pathname: url.pathname,
      search: url.search,
      headers: req.headers,
      body: body.toString('utf8'),
      origin: url.origin,
    });
    res.writeHead(response.status, response.headers);
    res.end(response.body);
    return true;
  };

  /** One call to the management routes as the public listener received it (here, or in a cluster worker). */
  async serveManagement(call: DurableManagementCall): Promise<DurableManagementResponse> {
    const query = new URLSearchParams(call.search);
    return (
      refuseWithoutSystemKey(this.systemKey, call.headers, query) ??
      (await handleDurableManagementRequest(
        this.engine,
        call.method,
        call.pathname.slice(DURABLE_WEBHOOK_PATH.length + 1),
        query,
        call.body,
        { baseUrl: call.origin, taskHubName: TASK_HUB },
      ))
    );
  }

  private async openRpcListener(): Promise<void> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, RPC_HOST, resolve);
    });
    this.rpcOrigin = `http://${RPC_HOST}:${(server.address() as AddressInfo).port}`;
    this.#binding = undefined;
    const options = { systemKey: this.systemKey, baseUrl: this.rpcOrigin, taskHubName: TASK_HUB };
    const listener = durableManagementListener(this.engine, options);
    server.on('request', (req, res) => {
      listener(req, res)
        .then((served) => {
          if (!served) {
            const answer = notServedHere();
            res.writeHead(answer.status, answer.headers).end(answer.body);
          }
        })
        .catch(() => res.destroy());
    });
    this.rpcServer = server;
    // This process's durable client reaches the engine without the socket (same answers); a
    // cluster worker, whose client calls this listener from another process, still uses it.
    this.stopInProcess = serveDurableClientInProcess(this.rpcOrigin, durableManagementAnswer(this.engine, options));
  }
}
