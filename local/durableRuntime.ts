import Database from 'better-sqlite3';
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { createPrivateFile } from '../shared/adapters/sqlite/database';
import { join } from 'node:path';
import type { RegisteredHttpFunction } from '../functions/registry';
import { durableFunctions } from '../orchestrations/registry';
import type { App } from '../shared/app';
import { SqliteDurableStore } from '../shared/adapters/sqlite/durable.sqlite';
import { attachDurableClientInput, DURABLE_WEBHOOK_PATH, durableClientBindingData, handleDurableManagementRequest, LocalDurableEngine } from './durable';
import type { RawRoute } from './host';
import type { Logger } from './logger';

export const TASK_HUB = 'PasskeyHub';
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * The local durable runtime: the engine over its own SQLite file (`durable.db` under DATA_DIR, so
 * a restart resumes every unfinished instance), the management routes the durable client calls,
 * and the durable client input for functions that declare one.
 */
export class LocalDurableRuntime {
  readonly engine: LocalDurableEngine;
  private readonly db: Database.Database;
  private readonly clientInput = df.input.durableClient();
  private baseUrl = 'http://127.0.0.1:7071';

  constructor(dataDir: string, app: App, logger: Logger) {
    createPrivateFile(join(dataDir, 'durable.db'));
    this.db = new Database(join(dataDir, 'durable.db'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.engine = new LocalDurableEngine({
      store: new SqliteDurableStore(this.db),
      registry: durableFunctions(async () => app),
      concurrency: 8,
      logHandler: (level, ...args) => logger.log(level, '[durable]', ...args),
    });
  }

  /** Starts the engine (resuming unfinished instances); `baseUrl` is where the host listens. */
  async start(baseUrl: string): Promise<void> {
    this.baseUrl = baseUrl;
    await this.engine.start();
  }

  async stop(): Promise<void> {
    await this.engine.stop();
    this.db.close();
  }

  /** The extra inputs a trigger declares: the durable client input when it uses `df.getClient`. */
  inputsFor = (usesDurableClient: boolean) => (usesDurableClient ? [this.clientInput] : []);

  /** Supplies the durable client input's data to a context built with {@link inputsFor}. */
  attachClient = (context: InvocationContext) => {
    attachDurableClientInput(context, durableClientBindingData(this.baseUrl, TASK_HUB));
  };

  extraInputsOf = (fn: RegisteredHttpFunction) => this.inputsFor(!!fn.definition.durableClient);

  decorateContext = (fn: RegisteredHttpFunction, context: InvocationContext) => {
    if (fn.definition.durableClient) this.attachClient(context);
  };

  /** Serves `/runtime/webhooks/durabletask/*` to loopback callers only (on Azure, system keys guard it). */
  managementRoute: RawRoute = async (req, res, url, body) => {
    if (!url.pathname.startsWith(`${DURABLE_WEBHOOK_PATH}/`)) return false;
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
      res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'The durable management API is only served to loopback callers.' }));
      return true;
    }
    const response = await handleDurableManagementRequest(this.engine, req.method ?? 'GET', url.pathname.slice(DURABLE_WEBHOOK_PATH.length + 1), url.searchParams, body.toString('utf8'), { baseUrl: this.baseUrl, taskHubName: TASK_HUB });
    res.writeHead(response.status, response.headers);
    res.end(response.body);
    return true;
  };
}
