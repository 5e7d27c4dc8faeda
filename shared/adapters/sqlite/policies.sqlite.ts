import { AuditRecord } from '../../domain/audit';
import { ConcurrencyConflictError } from '../../domain/errors';
import { Fido2Policy } from '../../domain/policy/fido2Policy';
import { PolicyRepository, SaveOptions } from '../../ports/policy.port';
import { Versioned } from '../../ports/versioned';
import { SqliteDatabase } from './database';
import { insertAudit } from './audit.sqlite';
import { newEtag } from './sqlHelpers';

export class SqlitePolicyRepository implements PolicyRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async getFido2(): Promise<Versioned<Fido2Policy> | null> {
    const row = this.db.prepare('SELECT doc, etag FROM policies WHERE id = ?').get('fido2') as
      { doc: string; etag: string } | undefined;
    return row ? { value: JSON.parse(row.doc), etag: row.etag } : null;
  }

  async saveFido2(policy: Fido2Policy, { ifMatch, audit }: SaveOptions): Promise<Versioned<Fido2Policy>> {
    const etag = newEtag();
    this.db.transaction((record: AuditRecord) => {
      const doc = JSON.stringify(policy);
      const changes =
        ifMatch === null
          ? this.db.prepare('INSERT OR IGNORE INTO policies (id, doc, etag) VALUES (?, ?, ?)').run('fido2', doc, etag)
              .changes
          : this.db
              .prepare('UPDATE policies SET doc = ?, etag = ? WHERE id = ? AND etag = ?')
              .run(doc, etag, 'fido2', ifMatch).changes;
      if (changes !== 1) throw new ConcurrencyConflictError('FIDO2 policy', ifMatch ?? undefined);
      insertAudit(this.db, record);
    })(audit);
    return { value: policy, etag };
  }
}
