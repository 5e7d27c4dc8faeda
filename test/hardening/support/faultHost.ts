import Database from 'better-sqlite3';
import { join } from 'node:path';
import { freePort, HostProcess, runTokenCli, startHostProcess } from '../../support/processes';
import type { TestJson } from '../../support/testJson';

/**
 * A host process (`node dist/local/main.js`) on a fixed port and data folder that a test can kill
 * with SIGKILL and start again: the same origin (ORIGINS defaults to http://localhost:PORT) and the
 * same store across restarts.
 */
export class RestartableHost {
  private current?: HostProcess;
  readonly kills: number[] = [];

  private constructor(
    readonly dataDir: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  static async create(dataDir: string, env: Record<string, string> = {}): Promise<RestartableHost> {
    return new RestartableHost(dataDir, await freePort(), env);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The origin a browser (and the soft authenticator) uses for this host. */
  get origin(): string {
    return `http://localhost:${this.port}`;
  }

  async start(): Promise<void> {
    this.current = await startHostProcess({
      DATA_DIR: this.dataDir,
      PORT: String(this.port),
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
      ...this.env,
    });
  }

  /** SIGKILL: no handler runs, no transaction is finished, nothing is flushed. */
  async kill(): Promise<void> {
    if (!this.current || this.current.child.exitCode !== null) return;
    this.kills.push(Date.now());
    await this.current.stop('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }

  async stop(): Promise<number | null> {
    if (!this.current || this.current.child.exitCode !== null) return null;
    return this.current.stop('SIGTERM');
  }

  /** Mints a dev token with the CLI (it signs with the data folder's key). */
  token(args: string[]): string {
    const result = runTokenCli(args, { DATA_DIR: this.dataDir });
    if (result.status !== 0) throw new Error(`token CLI failed: ${result.stderr}`);
    return result.stdout.trim();
  }

  /** JSON call; `undefined` when the host died before answering. */
  async call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: Headers; body: TestJson }> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Reads the store file directly (the host is down, or through WAL while it runs). */
  withStore<T>(read: (db: Database.Database) => T): T {
    const db = new Database(join(this.dataDir, 'passkeys.db'), { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }
}

/** Sends a request and kills the host `afterMs` later, whatever the request is doing by then. */
export async function killDuring<T>(
  host: RestartableHost,
  afterMs: number,
  request: () => Promise<T>,
): Promise<{ outcome: T | undefined }> {
  const pending = request().then(
    (v) => v,
    () => undefined,
  );
  await new Promise((r) => setTimeout(r, afterMs));
  await host.kill();
  return { outcome: await pending };
}
