import { AuditRecord } from '../../domain/audit';
import { OutboxRepository } from '../../ports/outbox.port';
import { SqliteDatabase } from './database';

/**
 * An outbox read from a table with an autoincrement `seq` (the publishing order, never reused) and a
 * JSON `doc` column; each relay's cursor is kept in `outbox_cursors` under the relay's name. The SQL
 * texts are fixed per table, so the statement cache (statementCache.ts) prepares each once.
 */
export class SqliteSeqOutboxRepository implements OutboxRepository {
  readonly relayKind = 'sqlite-poller';
  private readonly readAfterSql: string;

  constructor(
    private readonly db: SqliteDatabase,
    table: 'audit' | 'sign_ins',
    private readonly toRecord: (doc: string) => AuditRecord,
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS outbox_cursors (relay TEXT PRIMARY KEY, cursor TEXT NOT NULL)');
    this.readAfterSql = `SELECT seq, doc FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`;
  }

  async readAfter(
    cursor: string | undefined,
    top: number,
  ): Promise<{ records: AuditRecord[]; cursor: string | undefined }> {
    const rows = this.db.prepare(this.readAfterSql).all(Number(cursor ?? 0), top) as Array<{
      seq: number;
      doc: string;
    }>;
    return {
      records: rows.map((r) => this.toRecord(r.doc)),
      cursor: rows.length ? String(rows[rows.length - 1].seq) : cursor,
    };
  }

  async getCursor(relay: string): Promise<string | undefined> {
    const row = this.db.prepare('SELECT cursor FROM outbox_cursors WHERE relay = ?').get(relay) as
      { cursor: string } | undefined;
    return row?.cursor;
  }

  async setCursor(relay: string, cursor: string): Promise<void> {
    this.db
      .prepare(
        'INSERT INTO outbox_cursors (relay, cursor) VALUES (?, ?) ON CONFLICT(relay) DO UPDATE SET cursor = excluded.cursor',
      )
      .run(relay, cursor);
  }
}

/** The audit table is the outbox: its autoincrement `seq` is the publishing order. */
export class SqliteOutboxRepository extends SqliteSeqOutboxRepository {
  constructor(db: SqliteDatabase) {
    super(db, 'audit', (doc) => JSON.parse(doc) as AuditRecord);
  }
}
