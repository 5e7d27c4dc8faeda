import { Page } from '../../domain/directory/directory';
import { signInOutboxRecord } from '../../domain/signIns/signInOutboxRecord';
import { aaGuidOf, SignInRecord } from '../../domain/signIns/signInRecord';
import { SignInCounts, SignInLogRepository, SignInQuery } from '../../ports/signInLog.port';
import { assertPageSize } from '../pageSize';
import { SqliteDatabase } from './database';
import { GroupCommit } from './groupCommit';
import { SqliteSeqOutboxRepository } from './outbox.sqlite';

/** Newest first by (createdDateTime, id), the same order and cursor as the Cosmos DB adapter. */
export const signInSortKey = (record: SignInRecord) => `${record.createdDateTime}|${record.id}`;

/**
 * The sign-in log table; kept for SIGNIN_LOG_RETENTION_DAYS by the scheduled purge. Appends go
 * through a group commit: under load, the records of the sign-ins answered in one event-loop turn
 * share one transaction (an autocommit INSERT per sign-in was 7.5% of the host's time), and each
 * append settles only once its record is committed, so a success is still answered after its record.
 */
export class SqliteSignInLogRepository implements SignInLogRepository {
  private readonly group: GroupCommit;

  constructor(private readonly db: SqliteDatabase) {
    this.group = new GroupCommit(db);
  }

  append(record: SignInRecord): Promise<void> {
    const row = [
      record.id,
      signInSortKey(record),
      record.createdDateTime,
      record.userPrincipalName?.toLowerCase() ?? null,
      record.status.errorCode,
      aaGuidOf(record)?.toLowerCase() ?? null,
      JSON.stringify(record),
    ];
    return this.group.write(() => {
      this.db
        .prepare(
          'INSERT OR IGNORE INTO sign_ins (id, sort_key, created_time, upn_lower, error_code, aa_guid, doc) VALUES (?, ?, ?, ?, ?, ?, ?)',
        )
        .run(...row);
    });
  }

  async list(query: SignInQuery): Promise<Page<SignInRecord>> {
    assertPageSize(query.top);
    const where: string[] = [];
    const params: Array<string | number> = [];
    const add = (clause: string, value: string | number) => {
      where.push(clause);
      params.push(value);
    };
    if (query.from) add('created_time >= ?', query.from);
    if (query.to) add('created_time < ?', query.to);
    if (query.userPrincipalName !== undefined) add('upn_lower = ?', query.userPrincipalName.toLowerCase());
    if (query.errorCode !== undefined) add('error_code = ?', query.errorCode);
    if (query.after) add('sort_key < ?', query.after);
    const sql = `SELECT sort_key, doc FROM sign_ins ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY sort_key DESC LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.top + 1) as Array<{ sort_key: string; doc: string }>;
    const page = rows.slice(0, query.top);
    return {
      items: page.map((r) => JSON.parse(r.doc)),
      next: rows.length > query.top ? page[page.length - 1].sort_key : undefined,
    };
  }

  async countByAaguid(aaGuids: readonly string[], from: string): Promise<SignInCounts[]> {
    if (aaGuids.length === 0) return [];
    const wanted = aaGuids.map((a) => a.toLowerCase());
    const rows = this.db
      .prepare(
        `SELECT aa_guid AS aaGuid, SUM(error_code = 0) AS succeeded, SUM(error_code <> 0) AS refused FROM sign_ins
         WHERE created_time >= ? AND aa_guid IN (${wanted.map(() => '?').join(',')}) GROUP BY aa_guid ORDER BY aa_guid`,
      )
      .all(from, ...wanted) as SignInCounts[];
    return rows;
  }

  async purgeOlderThan(before: string): Promise<number> {
    return this.db.prepare('DELETE FROM sign_ins WHERE created_time < ?').run(before).changes;
  }
}

/**
 * The sign-in log read as an outbox (its autoincrement `seq` is the publishing order, never reused
 * after a purge), so each record is published as a `signIn.recorded` event at least once without
 * being written to the audit log. Cursors share the audit outbox's table, under their own relay name.
 */
export class SqliteSignInOutboxRepository extends SqliteSeqOutboxRepository {
  constructor(db: SqliteDatabase) {
    super(db, 'sign_ins', (doc) => signInOutboxRecord(JSON.parse(doc) as SignInRecord));
  }
}
