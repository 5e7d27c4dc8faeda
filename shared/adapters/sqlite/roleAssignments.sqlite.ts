import { AuditRecord } from '../../domain/audit';
import { RoleAssignment, roleAssignmentExists } from '../../domain/auth/roleAssignment';
import { RoleAssignmentFilter } from '../../ports/directory.port';
import { insertAudit } from './audit.sqlite';
import { SqliteDatabase } from './database';

/**
 * Role assignments in the `role_assignments` table: the id is derived from role and principal, so
 * the primary key alone refuses a duplicate. Used by the directory repository, inside its transactions.
 */
export class SqliteRoleAssignments {
  constructor(private readonly db: SqliteDatabase) {}

  create(assignment: RoleAssignment, audit: AuditRecord): void {
    this.db.transaction(() => {
      const { changes } = this.db
        .prepare(
          'INSERT OR IGNORE INTO role_assignments (id, principal_id, role_definition_id, doc) VALUES (?, ?, ?, ?)',
        )
        .run(assignment.id, assignment.principalId, assignment.roleDefinitionId, JSON.stringify(assignment));
      if (changes !== 1) throw roleAssignmentExists(assignment);
      insertAudit(this.db, audit);
    })();
  }

  get(id: string): RoleAssignment | null {
    const row = this.db.prepare('SELECT doc FROM role_assignments WHERE id = ?').get(id) as { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : null;
  }

  list(filter: RoleAssignmentFilter): RoleAssignment[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.principalId !== undefined) {
      where.push('principal_id = ?');
      params.push(filter.principalId.toLowerCase());
    }
    if (filter.roleDefinitionId !== undefined) {
      where.push('role_definition_id = ?');
      params.push(filter.roleDefinitionId.toLowerCase());
    }
    const sql = `SELECT doc FROM role_assignments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`;
    return (this.db.prepare(sql).all(...params) as Array<{ doc: string }>).map((r) => JSON.parse(r.doc));
  }

  delete(id: string, audit: AuditRecord): boolean {
    return this.db.transaction(() => {
      const { changes } = this.db.prepare('DELETE FROM role_assignments WHERE id = ?').run(id);
      if (changes === 1) insertAudit(this.db, audit);
      return changes === 1;
    })();
  }
}
