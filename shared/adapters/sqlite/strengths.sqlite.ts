import { ConcurrencyConflictError } from '../../domain/errors';
import { AuthenticationStrength, ProtectedResource } from '../../domain/strengths/authenticationStrength';
import { StrengthRepository, StrengthWrite } from '../../ports/strengths.port';
import { Versioned } from '../../ports/versioned';
import { idTaken } from '../storeConflicts';
import { insertAudit } from './audit.sqlite';
import { SqliteDatabase } from './database';
import { newEtag } from './sqlHelpers';
import { strengthInUse, tooManyStrengths } from '../strengthConflicts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS authentication_strengths (
  id TEXT PRIMARY KEY, created_date_time TEXT NOT NULL, etag TEXT NOT NULL, doc TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS protected_resources (
  name TEXT PRIMARY KEY, strength_id TEXT NOT NULL, doc TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS protected_resources_by_strength ON protected_resources (strength_id);
`;

/** Custom strengths and protected resources over better-sqlite3; every write with its audit record in one transaction. */
export class SqliteStrengthRepository implements StrengthRepository {
  private readonly s;

  constructor(private readonly db: SqliteDatabase) {
    db.exec(SCHEMA);
    this.s = {
      list: db.prepare('SELECT doc FROM authentication_strengths ORDER BY created_date_time, id'),
      count: db.prepare('SELECT COUNT(*) AS n FROM authentication_strengths'),
      get: db.prepare('SELECT doc, etag FROM authentication_strengths WHERE id = ?'),
      insert: db.prepare('INSERT INTO authentication_strengths (id, created_date_time, etag, doc) VALUES (?, ?, ?, ?)'),
      replace: db.prepare('UPDATE authentication_strengths SET doc = ?, etag = ? WHERE id = ? AND etag = ?'),
      remove: db.prepare('DELETE FROM authentication_strengths WHERE id = ?'),
      listResources: db.prepare('SELECT doc FROM protected_resources ORDER BY name'),
      getResource: db.prepare('SELECT doc FROM protected_resources WHERE name = ?'),
      requiring: db.prepare('SELECT doc FROM protected_resources WHERE strength_id = ? ORDER BY name'),
      upsertResource: db.prepare(
        'INSERT INTO protected_resources (name, strength_id, doc) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET strength_id = excluded.strength_id, doc = excluded.doc',
      ),
      removeResource: db.prepare('DELETE FROM protected_resources WHERE name = ?'),
    };
  }

  async listStrengths(): Promise<AuthenticationStrength[]> {
    return (this.s.list.all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as AuthenticationStrength);
  }

  async getStrength(id: string): Promise<Versioned<AuthenticationStrength> | null> {
    const row = this.s.get.get(id) as { doc: string; etag: string } | undefined;
    return row ? { value: JSON.parse(row.doc) as AuthenticationStrength, etag: row.etag } : null;
  }

  async createStrength(strength: AuthenticationStrength, { audit, limit }: StrengthWrite & { limit: number }) {
    const etag = newEtag();
    this.db.transaction(() => {
      if (this.s.get.get(strength.id)) throw idTaken(strength.id);
      if ((this.s.count.get() as { n: number }).n >= limit) throw tooManyStrengths(limit);
      this.s.insert.run(strength.id, strength.createdDateTime, etag, JSON.stringify(strength));
      insertAudit(this.db, audit);
    })();
    return etag;
  }

  async replaceStrength(strength: AuthenticationStrength, { audit, ifMatch }: StrengthWrite & { ifMatch: string }) {
    const etag = newEtag();
    this.db.transaction(() => {
      if (this.s.replace.run(JSON.stringify(strength), etag, strength.id, ifMatch).changes !== 1)
        throw new ConcurrencyConflictError('authentication strength', ifMatch);
      insertAudit(this.db, audit);
    })();
    return etag;
  }

  async deleteStrength(id: string, { audit }: StrengthWrite): Promise<boolean> {
    return this.db.transaction(() => {
      const users = (this.s.requiring.all(id) as Array<{ doc: string }>).map(
        (r) => (JSON.parse(r.doc) as ProtectedResource).name,
      );
      if (users.length) throw strengthInUse(id, users);
      const deleted = this.s.remove.run(id).changes > 0;
      if (deleted) insertAudit(this.db, audit);
      return deleted;
    })();
  }

  async listResources(): Promise<ProtectedResource[]> {
    return (this.s.listResources.all() as Array<{ doc: string }>).map((r) => JSON.parse(r.doc) as ProtectedResource);
  }

  async getResource(name: string): Promise<ProtectedResource | null> {
    const row = this.s.getResource.get(name) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as ProtectedResource) : null;
  }

  async listResourcesRequiring(strengthId: string): Promise<ProtectedResource[]> {
    return (this.s.requiring.all(strengthId) as Array<{ doc: string }>).map(
      (r) => JSON.parse(r.doc) as ProtectedResource,
    );
  }

  async putResource(resource: ProtectedResource, { audit }: StrengthWrite): Promise<boolean> {
    return this.db.transaction(() => {
      const existed = this.s.getResource.get(resource.name) !== undefined;
      this.s.upsertResource.run(resource.name, resource.authenticationStrengthId, JSON.stringify(resource));
      insertAudit(this.db, audit);
      return !existed;
    })();
  }

  async deleteResource(name: string, { audit }: StrengthWrite): Promise<boolean> {
    return this.db.transaction(() => {
      const deleted = this.s.removeResource.run(name).changes > 0;
      if (deleted) insertAudit(this.db, audit);
      return deleted;
    })();
  }
}
