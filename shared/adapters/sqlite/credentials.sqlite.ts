import { AuditRecord } from '../../domain/audit';
import { ConcurrencyConflictError } from '../../domain/errors';
import {
  AaguidUsage,
  ConsumedChallenge,
  ConsumedChallengeRepository,
  CredentialRepository,
  StoredCredential,
} from '../../ports/credentials.port';
import { Page } from '../../domain/directory/directory';
import { Versioned } from '../../ports/versioned';
import { insertAudit } from './audit.sqlite';
import { SqliteDatabase } from './database';
import { newEtag } from './sqlHelpers';
import { credentialAlreadyRegistered } from '../storeConflicts';

export class SqliteCredentialRepository implements CredentialRepository {
  /** A sign-in's pair of writes, built once (better-sqlite3 wraps a function per `transaction` call). */
  private readonly signInWrites: (
    credential: StoredCredential,
    ifMatch: string,
    challenge: ConsumedChallenge,
    etag: string,
  ) => Versioned<StoredCredential> | null;

  constructor(private readonly db: SqliteDatabase) {
    const consume = db.prepare('INSERT OR IGNORE INTO consumed_challenges (id, expires_at) VALUES (?, ?)');
    const replace = db.prepare('UPDATE credentials SET doc = ?, etag = ? WHERE id = ? AND etag = ?');
    this.signInWrites = db.transaction(
      (credential: StoredCredential, ifMatch: string, challenge: ConsumedChallenge, etag: string) => {
        if (consume.run(challenge.id, challenge.expiresAt.getTime()).changes !== 1) return null;
        // Throwing rolls the challenge record back with it.
        if (replace.run(JSON.stringify(credential), etag, credential.id, ifMatch).changes !== 1)
          throw new ConcurrencyConflictError(`passkey ${credential.id}`, ifMatch);
        return { value: credential, etag };
      },
    );
  }

  async create(credential: StoredCredential, audit: AuditRecord): Promise<Versioned<StoredCredential>> {
    const etag = newEtag();
    this.db.transaction(() => {
      const { changes } = this.db
        .prepare('INSERT OR IGNORE INTO credentials (id, user_id, doc, etag) VALUES (?, ?, ?, ?)')
        .run(credential.id, credential.userId, JSON.stringify(credential), etag);
      if (changes !== 1) throw credentialAlreadyRegistered(credential.id);
      insertAudit(this.db, audit);
    })();
    return { value: credential, etag };
  }

  async get(id: string): Promise<Versioned<StoredCredential> | null> {
    const row = this.db.prepare('SELECT doc, etag FROM credentials WHERE id = ?').get(id) as
      { doc: string; etag: string } | undefined;
    return row ? { value: JSON.parse(row.doc), etag: row.etag } : null;
  }

  async listByUser(userId: string): Promise<StoredCredential[]> {
    const rows = this.db.prepare('SELECT doc FROM credentials WHERE user_id = ? ORDER BY rowid').all(userId) as Array<{
      doc: string;
    }>;
    return rows.map((r) => JSON.parse(r.doc));
  }

  async scanPage(query: { top: number; after?: string }): Promise<Page<StoredCredential>> {
    const rows = this.db
      .prepare('SELECT id, doc FROM credentials WHERE id > ? ORDER BY id LIMIT ?')
      .all(query.after ?? '', query.top + 1) as Array<{ id: string; doc: string }>;
    const page = rows.slice(0, query.top);
    return {
      items: page.map((r) => JSON.parse(r.doc)),
      next: rows.length > query.top ? page[page.length - 1].id : undefined,
    };
  }

  async update(credential: StoredCredential, ifMatch: string): Promise<Versioned<StoredCredential>> {
    const etag = newEtag();
    const { changes } = this.db
      .prepare('UPDATE credentials SET doc = ?, etag = ? WHERE id = ? AND etag = ?')
      .run(JSON.stringify(credential), etag, credential.id, ifMatch);
    if (changes !== 1) throw new ConcurrencyConflictError(`passkey ${credential.id}`, ifMatch);
    return { value: credential, etag };
  }

  /** One transaction: the single-use record and the conditional replace commit together or not at all. */
  async recordSignIn(
    credential: StoredCredential,
    ifMatch: string,
    challenge: ConsumedChallenge,
  ): Promise<Versioned<StoredCredential> | null> {
    return this.signInWrites(credential, ifMatch, challenge, newEtag());
  }

  async delete(userId: string, id: string, audit: AuditRecord): Promise<boolean> {
    return this.db.transaction(() => {
      const { changes } = this.db.prepare('DELETE FROM credentials WHERE id = ? AND user_id = ?').run(id, userId);
      if (changes === 1) insertAudit(this.db, audit);
      return changes === 1;
    })();
  }

  /** One GROUP BY over the table: the passkeys are never read into memory. */
  async usageByAaguid(): Promise<AaguidUsage[]> {
    const rows = this.db
      .prepare(
        `SELECT lower(json_extract(doc, '$.aaGuid')) AS aaGuid, MAX(json_extract(doc, '$.model')) AS model,
           COUNT(*) AS passkeys, COUNT(DISTINCT user_id) AS users,
           SUM(json_extract(doc, '$.attestationLevel') = 'attested') AS attested,
           SUM(json_extract(doc, '$.backupEligible') = 1) AS synced,
           MIN(json_extract(doc, '$.createdDateTime')) AS firstRegisteredDateTime,
           MAX(json_extract(doc, '$.lastUsedDateTime')) AS lastUsedDateTime
         FROM credentials GROUP BY lower(json_extract(doc, '$.aaGuid')) ORDER BY aaGuid`,
      )
      .all() as Array<Omit<AaguidUsage, 'notAttested' | 'deviceBound'>>;
    return rows.map((r) => ({
      aaGuid: r.aaGuid,
      model: r.model ?? null,
      passkeys: r.passkeys,
      users: r.users,
      attested: r.attested,
      notAttested: r.passkeys - r.attested,
      deviceBound: r.passkeys - r.synced,
      synced: r.synced,
      firstRegisteredDateTime: r.firstRegisteredDateTime ?? null,
      lastUsedDateTime: r.lastUsedDateTime ?? null,
    }));
  }
}

export class SqliteConsumedChallengeRepository implements ConsumedChallengeRepository {
  constructor(private readonly db: SqliteDatabase) {}

  async consume(challengeId: string, expiresAt: Date): Promise<boolean> {
    const { changes } = this.db
      .prepare('INSERT OR IGNORE INTO consumed_challenges (id, expires_at) VALUES (?, ?)')
      .run(challengeId, expiresAt.getTime());
    return changes === 1;
  }

  async purgeExpired(now: Date): Promise<number> {
    return this.db.prepare('DELETE FROM consumed_challenges WHERE expires_at < ?').run(now.getTime()).changes;
  }
}
