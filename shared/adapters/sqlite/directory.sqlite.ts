import { AuditRecord } from '../../domain/audit';
import { Group, ListQuery, Page, User } from '../../domain/directory/directory';
import { ConcurrencyConflictError } from '../../domain/errors';
import { idTaken, upnTaken } from '../storeConflicts';
import { RoleAssignment } from '../../domain/auth/roleAssignment';
import { StoredCredential } from '../../ports/credentials.port';
import { DirectoryRepository, RoleAssignmentFilter, UserDeletionAudits } from '../../ports/directory.port';
import { Versioned } from '../../ports/versioned';
import { insertAudit } from './audit.sqlite';
import { SqliteDatabase } from './database';
import { SqliteRoleAssignments } from './roleAssignments.sqlite';
import { filterToSql, newEtag } from './sqlHelpers';

/**
 * Which constraint a write broke, from SQLite's message ("UNIQUE constraint failed: users.upn_lower"):
 * a duplicate audit id must not be reported as a taken UPN.
 */
const violated = (e: unknown, column: string) => {
  const { code, message } = e as { code?: string; message?: string };
  return (
    (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') &&
    message?.endsWith(`: ${column}`) === true
  );
};

/** Maps the directory's unique constraints to the domain conflicts; other errors pass through. */
function directoryConflict(e: unknown, object: { id: string; userPrincipalName?: string }): unknown {
  if (object.userPrincipalName !== undefined && violated(e, 'users.upn_lower'))
    return upnTaken(object.userPrincipalName);
  if (violated(e, 'users.id') || violated(e, 'groups.id')) return idTaken(object.id);
  return e;
}

export class SqliteDirectoryRepository implements DirectoryRepository {
  private readonly roleAssignments: SqliteRoleAssignments;

  constructor(private readonly db: SqliteDatabase) {
    this.roleAssignments = new SqliteRoleAssignments(db);
  }

  async createUser(user: User, audit: AuditRecord): Promise<Versioned<User>> {
    const etag = newEtag();
    try {
      this.db.transaction(() => {
        this.db
          .prepare('INSERT INTO users (id, upn_lower, display_lower, doc, etag) VALUES (?, ?, ?, ?, ?)')
          .run(
            user.id,
            user.userPrincipalName.toLowerCase(),
            user.displayName.toLowerCase(),
            JSON.stringify(user),
            etag,
          );
        insertAudit(this.db, audit);
      })();
    } catch (e) {
      throw directoryConflict(e, user);
    }
    return { value: user, etag };
  }

  async getUserById(id: string): Promise<Versioned<User> | null> {
    return this.readUser('SELECT doc, etag FROM users WHERE id = ?', id.toLowerCase());
  }

  async getUserByUpn(userPrincipalName: string): Promise<Versioned<User> | null> {
    return this.readUser('SELECT doc, etag FROM users WHERE upn_lower = ?', userPrincipalName.toLowerCase());
  }

  private readUser(sql: string, key: string): Versioned<User> | null {
    const row = this.db.prepare(sql).get(key) as { doc: string; etag: string } | undefined;
    return row ? { value: JSON.parse(row.doc), etag: row.etag } : null;
  }

  async updateUser(user: User, ifMatch: string, audit: AuditRecord): Promise<Versioned<User>> {
    const etag = newEtag();
    try {
      this.db.transaction(() => {
        const { changes } = this.db
          .prepare('UPDATE users SET upn_lower = ?, display_lower = ?, doc = ?, etag = ? WHERE id = ? AND etag = ?')
          .run(
            user.userPrincipalName.toLowerCase(),
            user.displayName.toLowerCase(),
            JSON.stringify(user),
            etag,
            user.id,
            ifMatch,
          );
        if (changes !== 1) throw new ConcurrencyConflictError(`user ${user.id}`, ifMatch);
        insertAudit(this.db, audit);
      })();
    } catch (e) {
      throw directoryConflict(e, user);
    }
    return { value: user, etag };
  }

  /** One transaction: the user, their memberships, passkeys and role assignments go together or not at all. */
  async deleteUser(id: string, audits: UserDeletionAudits): Promise<boolean> {
    return this.db.transaction(() => {
      const { changes } = this.db.prepare('DELETE FROM users WHERE id = ?').run(id);
      if (changes === 0) return false;
      this.db.prepare('DELETE FROM memberships WHERE user_id = ?').run(id);
      const credentials = (
        this.db.prepare('SELECT doc FROM credentials WHERE user_id = ? ORDER BY rowid').all(id) as Array<{
          doc: string;
        }>
      ).map((r) => JSON.parse(r.doc) as StoredCredential);
      this.db.prepare('DELETE FROM credentials WHERE user_id = ?').run(id);
      const assignments = this.roleAssignments.list({ principalId: id });
      this.db.prepare('DELETE FROM role_assignments WHERE principal_id = ?').run(id.toLowerCase());
      insertAudit(this.db, audits.user);
      for (const credential of credentials) insertAudit(this.db, audits.passkey(credential));
      for (const assignment of assignments) insertAudit(this.db, audits.roleAssignment(assignment));
      return true;
    })();
  }

  async listUsers(query: ListQuery): Promise<Page<User>> {
    return this.page<User>('users', query);
  }

  async createGroup(group: Group, audit: AuditRecord): Promise<Group> {
    try {
      this.db.transaction(() => {
        this.db
          .prepare('INSERT INTO groups (id, display_lower, doc) VALUES (?, ?, ?)')
          .run(group.id, group.displayName.toLowerCase(), JSON.stringify(group));
        insertAudit(this.db, audit);
      })();
    } catch (e) {
      throw directoryConflict(e, group);
    }
    return group;
  }

  async getGroup(id: string): Promise<Group | null> {
    const row = this.db.prepare('SELECT doc FROM groups WHERE id = ?').get(id.toLowerCase()) as
      { doc: string } | undefined;
    return row ? JSON.parse(row.doc) : null;
  }

  async listGroups(query: ListQuery): Promise<Page<Group>> {
    if (query.filter.some((f) => f.field !== 'displayName')) return { items: [] };
    return this.page<Group>('groups', query);
  }

  async addMember(groupId: string, userId: string, audit: AuditRecord): Promise<boolean> {
    return this.db.transaction(() => {
      const { changes } = this.db
        .prepare('INSERT OR IGNORE INTO memberships (group_id, user_id) VALUES (?, ?)')
        .run(groupId, userId);
      if (changes === 1) insertAudit(this.db, audit);
      return changes === 1;
    })();
  }

  async removeMember(groupId: string, userId: string, audit: AuditRecord): Promise<boolean> {
    return this.db.transaction(() => {
      const { changes } = this.db
        .prepare('DELETE FROM memberships WHERE group_id = ? AND user_id = ?')
        .run(groupId, userId);
      if (changes === 1) insertAudit(this.db, audit);
      return changes === 1;
    })();
  }

  async listMembers(groupId: string, query: ListQuery): Promise<Page<User>> {
    return this.page<User>('users', query, {
      sql: 'id IN (SELECT user_id FROM memberships WHERE group_id = ?)',
      params: [groupId],
    });
  }

  async groupIdsOfUser(userId: string): Promise<string[]> {
    const rows = this.db.prepare('SELECT group_id FROM memberships WHERE user_id = ?').all(userId) as Array<{
      group_id: string;
    }>;
    return rows.map((r) => r.group_id);
  }

  async createRoleAssignment(assignment: RoleAssignment, audit: AuditRecord): Promise<void> {
    this.roleAssignments.create(assignment, audit);
  }

  async getRoleAssignment(id: string): Promise<RoleAssignment | null> {
    return this.roleAssignments.get(id);
  }

  async listRoleAssignments(filter: RoleAssignmentFilter): Promise<RoleAssignment[]> {
    return this.roleAssignments.list(filter);
  }

  async deleteRoleAssignment(id: string, audit: AuditRecord): Promise<boolean> {
    return this.roleAssignments.delete(id, audit);
  }

  /** Keyset paging by id: stable under concurrent inserts and needs no OFFSET. */
  private page<T>(table: 'users' | 'groups', query: ListQuery, extra?: { sql: string; params: string[] }): Page<T> {
    const { where, params } = filterToSql(query.filter);
    if (extra) {
      where.push(extra.sql);
      params.push(...extra.params);
    }
    if (query.after) {
      where.push('id > ?');
      params.push(query.after);
    }
    const sql = `SELECT id, doc FROM ${table} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.top + 1) as Array<{ id: string; doc: string }>;
    const page = rows.slice(0, query.top);
    return {
      items: page.map((r) => JSON.parse(r.doc)),
      next: rows.length > query.top ? page[page.length - 1].id : undefined,
    };
  }
}
