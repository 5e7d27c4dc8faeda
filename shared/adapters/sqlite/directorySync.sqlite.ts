import type Database from 'better-sqlite3';
import { DirectorySyncState, DirectorySyncStateRepository } from '../../ports/directorySync.port';

const ID = 'directorySync';

/** The Entra sync state as one row of a `sync_state` table (created here). */
export class SqliteDirectorySyncStateRepository implements DirectorySyncStateRepository {
  private readonly statements;

  constructor(db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS sync_state (id TEXT PRIMARY KEY, doc TEXT NOT NULL)');
    this.statements = {
      get: db.prepare<[string], { doc: string }>('SELECT doc FROM sync_state WHERE id = ?'),
      put: db.prepare(
        'INSERT INTO sync_state (id, doc) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc',
      ),
    };
  }

  async get(): Promise<DirectorySyncState | null> {
    const row = this.statements.get.get(ID);
    return row ? (JSON.parse(row.doc) as DirectorySyncState) : null;
  }

  async put(state: DirectorySyncState): Promise<void> {
    this.statements.put.run(ID, JSON.stringify(state));
  }
}
