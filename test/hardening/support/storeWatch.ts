import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** Row count and a digest of the rows of one table. */
export interface TableState {
  rows: number;
  digest: string;
}

/**
 * Watches the local host's SQLite file through a second, read-only connection: `dataVersion()`
 * changes whenever another connection committed anything (a cheap per-request check), `tables()`
 * digests every row of every table (what changed, when something did).
 */
export class StoreWatch {
  private readonly db: Database.Database;

  constructor(dataDir: string, file = 'passkeys.db') {
    this.db = new Database(join(dataDir, file), { readonly: true, fileMustExist: true });
  }

  dataVersion(): number {
    return this.db.pragma('data_version', { simple: true }) as number;
  }

  tables(): Record<string, TableState> {
    const names = this.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as Array<{ name: string }>;
    const state: Record<string, TableState> = {};
    for (const { name } of names) {
      // Some tables are WITHOUT ROWID: digest the rows in a canonical order instead.
      const rows = (this.db.prepare(`SELECT * FROM "${name}"`).all() as unknown[])
        .map((row) => JSON.stringify(row))
        .sort();
      const hash = createHash('sha256');
      for (const row of rows) hash.update(row);
      state[name] = { rows: rows.length, digest: hash.digest('hex').slice(0, 16) };
    }
    return state;
  }

  /** Tables whose rows differ between two states, with their row counts before → after. */
  static diff(before: Record<string, TableState>, after: Record<string, TableState>): string[] {
    const names = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...names]
      .filter((n) => before[n]?.digest !== after[n]?.digest)
      .map((n) => `${n} ${before[n]?.rows ?? 0}→${after[n]?.rows ?? 0}`);
  }

  close(): void {
    this.db.close();
  }
}

/** Polls until the store stops changing (background work after setup: outbox, event consumers). */
export async function settle(watch: StoreWatch, quietMs = 300, maxMs = 10_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = watch.dataVersion();
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    const now = watch.dataVersion();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) return;
  }
  throw new Error('the store kept changing: background work did not settle');
}
