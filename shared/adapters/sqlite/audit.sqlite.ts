import { AuditRecord } from '../../domain/audit';
import { Page } from '../../domain/directory/directory';
import { AuditQuery, AuditRepository } from '../../ports/audit.port';
import { SqliteDatabase } from './database';

/** Shared by the repositories that record their change in the same transaction. */
export function insertAudit(db: SqliteDatabase, record: AuditRecord): void {
  db.prepare('INSERT INTO audit (id, activity_time, doc) VALUES (?, ?, ?)').run(
    record.id,
    record.activityDateTime,
    JSON.stringify(record),
  );
}

export class SqliteAuditRepository implements AuditRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async append(record: AuditRecord): Promise<void> {
    insertAudit(this.db, record);
  }

  async list(query: AuditQuery): Promise<Page<AuditRecord>> {
    const where: string[] = [];
    const params: Array<string | number> = [];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      params.push(value);
    };
    if (query.from) add('activity_time >= ?', query.from);
    if (query.to) add('activity_time < ?', query.to);
    if (query.after) add('seq < ?', Number(query.after));
    const sql = `SELECT seq, doc FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.top + 1) as Array<{ seq: number; doc: string }>;
    const page = rows.slice(0, query.top);
    return {
      items: page.map((r) => JSON.parse(r.doc)),
      next: rows.length > query.top ? String(page[page.length - 1].seq) : undefined,
    };
  }
}
