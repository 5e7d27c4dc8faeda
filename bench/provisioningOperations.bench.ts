import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import { createLogger } from '../local/logger';
import { SqliteDurableStore } from '../local/durable/durable.sqlite';
import { startLocal } from '../local/startLocal';
import { loadConfig } from '../shared/config';
import { freePort } from '../test/support/processes';
import { prepareProvisioningTenant, runProvisioningJob } from './provisioning.bench';

/** SQLite work of one database file, counted over the whole job. */
interface FileCounts {
  /** Outer transactions (BEGIN … COMMIT) plus writes that ran on their own (autocommit: one transaction each). */
  transactions: number;
  /** Statements that return rows (SELECT, RETURNING). */
  reads: number;
  /** Statements that change rows (INSERT, UPDATE, DELETE), inside a transaction or not. */
  writes: number;
  /** The statements run most often, by SQL text. */
  bySql: Map<string, number>;
}

type StatementMethod = (this: Database.Statement, ...params: unknown[]) => unknown;

const CONTROL = /^(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)\b/;

/**
 * Counts every better-sqlite3 statement this process runs, per database file: better-sqlite3's
 * transactions run their BEGIN/COMMIT as statements too, so outer transactions are the BEGINs, and
 * a write outside any transaction is a transaction of its own. Bench only: patches the prototype.
 */
function countSqlite(): { counts: Map<string, FileCounts>; restore(): void } {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'run' | 'get' | 'all', StatementMethod>;
  probe.close();
  const counts = new Map<string, FileCounts>();
  const original = { run: proto.run, get: proto.get, all: proto.all };
  const wrap = (method: 'run' | 'get' | 'all') =>
    function (this: Database.Statement, ...params: unknown[]) {
      const file = basename(this.database.name);
      const c = counts.get(file) ?? { transactions: 0, reads: 0, writes: 0, bySql: new Map<string, number>() };
      counts.set(file, c);
      const sql = this.source.replace(/\s+/g, ' ').trim();
      if (/^BEGIN\b/.test(sql)) c.transactions++;
      else if (!CONTROL.test(sql)) {
        if (this.reader) c.reads++;
        else {
          c.writes++;
          if (!this.database.inTransaction) c.transactions++;
        }
        const key = sql.slice(0, 90);
        c.bySql.set(key, (c.bySql.get(key) ?? 0) + 1);
      }
      return original[method].apply(this, params);
    };
  proto.run = wrap('run');
  proto.get = wrap('get');
  proto.all = wrap('all');
  return {
    counts,
    restore: () => Object.assign(proto, original),
  };
}

/**
 * Counts the episodes the engine runs and the history events each replays, by kind of instance
 * (job, batch, user: the provisioning instance ids say which). Bench only: wraps the store's loadHistory.
 */
function countReplays() {
  const byKind = new Map<string, { episodes: number; events: number }>();
  const original = SqliteDurableStore.prototype.loadHistory;
  SqliteDurableStore.prototype.loadHistory = async function (this: SqliteDurableStore, instanceId: string) {
    const history = await original.call(this, instanceId);
    const kind = /-batch-/.test(instanceId) ? 'batch' : /-user-/.test(instanceId) ? 'user' : 'job or other';
    const r = byKind.get(kind) ?? { episodes: 0, events: 0 };
    byKind.set(kind, r);
    r.episodes++;
    r.events += history.length;
    return history;
  };
  return { byKind, restore: () => (SqliteDurableStore.prototype.loadHistory = original) };
}

/**
 * `node dist-bench/bench/provisioningOperations.bench.js [users]` (default 200): one bulk job on an
 * in-process host (the engine, the bus and HTTP in this process, as `WORKERS=1`), with every SQLite
 * statement counted; prints per user: transactions, reads and writes of the app's store and of the
 * durable engine's, and the statements run most. Counts, not timings: the machine's load does not move them.
 */
async function main() {
  const users = Number(process.argv[2] ?? 200);
  const { dataDir, admin, groupId } = await prepareProvisioningTenant(users);
  // A fixed port, so the origin the stations use (http://localhost:PORT) is the configured one.
  const port = await freePort();
  const config = loadConfig({ DATA_DIR: dataDir, PORT: String(port), AZURITE: 'off', LOG_LEVEL: 'warn' }, dataDir);
  const running = await startLocal(config, { logger: createLogger('warn') });
  const counter = countSqlite();
  const replays = countReplays();
  const job = await runProvisioningJob(`http://127.0.0.1:${running.host.port}`, admin, groupId);
  counter.restore();
  replays.restore();
  await running.stop();
  rmSync(dataDir, { recursive: true, force: true });
  const perUser = (n: number) => Math.round((n / users) * 100) / 100;
  const files = [...counter.counts].map(([file, c]) => ({
    file,
    transactionsPerUser: perUser(c.transactions),
    readsPerUser: perUser(c.reads),
    writesPerUser: perUser(c.writes),
    topStatements: [...c.bySql]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([sql, n]) => `${perUser(n)} ${sql}`),
  }));
  const episodes = [...replays.byKind].map(([kind, r]) => ({
    orchestration: kind,
    episodesPerUser: perUser(r.episodes),
    historyEventsReplayedPerUser: perUser(r.events),
  }));
  process.stdout.write(`${JSON.stringify({ users, provisioned: job.provisioned, files, episodes }, null, 2)}\n`);
}

if (require.main === module)
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
