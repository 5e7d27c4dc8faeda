import { AuditRecord } from '../../domain/audit';
import { OutboxRepository } from '../../ports/outbox.port';
import { SqliteDatabase } from './database';

/** The audit table is the outbox: its autoincrement `seq` is the publishing order. */
export class SqliteOutboxRepository implements OutboxRepository {
  readonly relayKind = 'sqlite-poller';

  constructor(private readonly db: SqliteDatabase) {
    db.exec('CREATE TABLE IF NOT EXISTS outbox_cursors (relay TEXT PRIMARY KEY, cursor TEXT NOT NULL)');
  }

  async readAfter(
    cursor: string | undefined,
    top: number,
  ): Promise<{ records: AuditRecord[]; cursor: string | undefined }> {
    const rows = this.db
      .prepare('SELECT seq, doc FROM audit WHERE seq > ? ORDER BY seq LIMIT ?')
      .all(Number(cursor ?? 0), top) as Array<{ seq: number; doc: string }>;
    return {
      records: rows.map((r) => JSON.parse(r.doc) as AuditRecord),
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
