import Database from 'better-sqlite3';
import { Clock } from '../../../shared/ports/clock.port';
import { SqliteDurableStore } from '../../../local/durable/durable.sqlite';
import { LocalDurableEngine } from '../../../local/durable/engine';
import { DurableInstanceStatus, DurableRegistry } from '../../../local/durable/types';

export interface Harness {
  db: Database.Database;
  store: SqliteDurableStore;
  engine: LocalDurableEngine;
  logs: string[];
  close(): Promise<void>;
}

/** An engine over an in-memory SQLite store, started, with its log captured. */
export async function startEngine(
  registry: DurableRegistry,
  options: { concurrency?: number; file?: string; clock?: Clock } = {},
): Promise<Harness> {
  const db = new Database(options.file ?? ':memory:');
  const store = new SqliteDurableStore(db);
  const logs: string[] = [];
  const engine = new LocalDurableEngine({
    store,
    registry,
    concurrency: options.concurrency ?? 8,
    clock: options.clock,
    logHandler: (level, ...args) => logs.push(`${level}: ${args.map(String).join(' ')}`),
  });
  await engine.start();
  return {
    db,
    store,
    engine,
    logs,
    close: async () => {
      await engine.stop();
      db.close();
    },
  };
}

/** Polls until the predicate holds for the instance's status (for states short of completion). */
export async function waitForStatus(
  engine: LocalDurableEngine,
  instanceId: string,
  predicate: (status: DurableInstanceStatus) => boolean,
  timeoutMs = 5000,
): Promise<DurableInstanceStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await engine.getStatus(instanceId, { showHistory: true });
    if (status && predicate(status)) return status;
    if (Date.now() > deadline)
      throw new Error(`Timed out waiting on instance ${instanceId}; last status ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
