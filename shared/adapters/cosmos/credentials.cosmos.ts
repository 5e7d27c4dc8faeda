import { Container } from '@azure/cosmos';
import { AuditRecord } from '../../domain/audit';
import { ConcurrencyConflictError } from '../../domain/errors';
import { AaguidUsage, ConsumedChallenge, CredentialRepository, StoredCredential } from '../../ports/credentials.port';
import { CosmosConsumedChallengeRepository } from './challenges.cosmos';
import { Page } from '../../domain/directory/directory';
import { Versioned } from '../../ports/versioned';
import { appendAudit } from './audit.cosmos';
import {
  CosmosDocument,
  deleteDocument,
  etagOf,
  isStatus,
  queryAll,
  readDocument,
  toDomainValue,
} from './documents.cosmos';
import { credentialAlreadyRegistered } from './storeErrors.cosmos';

/** A concurrent sign-in may bump the sign count between our read and our delete; retry that few times. */
const DELETE_ATTEMPTS = 3;

/** The inventory markers' own bookkeeping: a document saying the markers were written for older passkeys. */
const BACKFILL_ID = 'backfilled';
const BACKFILL_PARTITION = '_meta';
const BACKFILL_PAGE = 500;

/** Passkeys, partitioned by credential id so sign-in is a point read. */
export class CosmosCredentialRepository implements CredentialRepository {
  constructor(
    private readonly container: Container,
    private readonly auditContainer: Container,
    /** The inventory's per-AAGUID markers (containers.cosmos.ts `aaguidUsers`). */
    private readonly aaguidUsers: Container,
    /** The single-use records, for the sign-in's pair of writes (recordSignIn). */
    private readonly challenges: CosmosConsumedChallengeRepository,
  ) {}

  async create(credential: StoredCredential, audit: AuditRecord): Promise<Versioned<StoredCredential>> {
    let written: CosmosDocument | undefined;
    try {
      written = (await this.container.items.create<CosmosDocument>({ ...credential })).resource;
    } catch (e) {
      if (isStatus(e, 409)) throw credentialAlreadyRegistered(credential.id);
      throw e;
    }
    await appendAudit(this.auditContainer, audit);
    await this.markUsage(credential);
    return { value: credential, etag: etagOf(written) };
  }

  async get(id: string): Promise<Versioned<StoredCredential> | null> {
    const doc = await readDocument(this.container, id);
    return doc ? { value: toDomainValue<StoredCredential>(doc), etag: etagOf(doc) } : null;
  }

  /** Cross-partition, but a user has a handful of passkeys and this is off the sign-in path. */
  async listByUser(userId: string): Promise<StoredCredential[]> {
    const docs = await queryAll<CosmosDocument>(this.container, 'SELECT * FROM c WHERE c.userId = @userId', [
      { name: '@userId', value: userId },
    ]);
    // Registration order, as the SQLite store returns them.
    return docs
      .map((d) => toDomainValue<StoredCredential>(d))
      .sort((a, b) => a.createdDateTime.localeCompare(b.createdDateTime) || a.id.localeCompare(b.id));
  }

  /** Keyset paging by id (cosmosdb-server has no OFFSET/LIMIT; keysets are cheaper on Cosmos anyway). */
  async scanPage(query: { top: number; after?: string }): Promise<Page<StoredCredential>> {
    const docs = await queryAll<CosmosDocument>(
      this.container,
      'SELECT TOP @top * FROM c WHERE c.id > @after ORDER BY c.id',
      [
        { name: '@top', value: query.top + 1 },
        { name: '@after', value: query.after ?? '' },
      ],
    );
    const page = docs.slice(0, query.top);
    return {
      items: page.map((d) => toDomainValue<StoredCredential>(d)),
      next: docs.length > query.top ? page[page.length - 1].id : undefined,
    };
  }

  async update(credential: StoredCredential, ifMatch: string): Promise<Versioned<StoredCredential>> {
    try {
      const { resource } = await this.container
        .item(credential.id, credential.id)
        .replace<CosmosDocument>({ ...credential }, { accessCondition: { type: 'IfMatch', condition: ifMatch } });
      return { value: credential, etag: etagOf(resource) };
    } catch (e) {
      if (isStatus(e, 412) || isStatus(e, 404)) throw new ConcurrencyConflictError(`passkey ${credential.id}`, ifMatch);
      throw e;
    }
  }

  /**
   * No transaction spans two containers: the challenge record is created first (the single-use
   * test), then the passkey replaced If-Match; a lost ETag race removes the record again, so the
   * retry on the fresh row can use it. Any other failure keeps it: the replace may have landed.
   */
  async recordSignIn(
    credential: StoredCredential,
    ifMatch: string,
    challenge: ConsumedChallenge,
  ): Promise<Versioned<StoredCredential> | null> {
    if (!(await this.challenges.consume(challenge.id, challenge.expiresAt))) return null;
    try {
      return await this.update(credential, ifMatch);
    } catch (e) {
      if (e instanceof ConcurrencyConflictError) await this.challenges.release(challenge.id);
      throw e;
    }
  }

  /** Scoped by user: a caller can only delete a passkey of the user it names. */
  async delete(userId: string, id: string, audit: AuditRecord): Promise<boolean> {
    for (let attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
      const doc = await readDocument(this.container, id);
      if (!doc || doc.userId !== userId) return false;
      try {
        // If-Match: the owner we checked is the owner of what we delete.
        if (!(await deleteDocument(this.container, id, id, etagOf(doc)))) return false;
        await appendAudit(this.auditContainer, audit);
        await this.unmarkUsage(userId, String(doc.aaGuid));
        return true;
      } catch (e) {
        if (!isStatus(e, 412)) throw e;
      }
    }
    throw new ConcurrencyConflictError(`passkey ${id}`, undefined);
  }

  /**
   * Inventory markers, idempotent upserts (a retried registration writes the same two documents).
   * Like the audit record they follow the credential write, not in its transaction: a crash in
   * between leaves a model or user uncounted until that user's next registration of the model.
   */
  private async markUsage(credential: Pick<StoredCredential, 'aaGuid' | 'userId'>): Promise<void> {
    const aaGuid = credential.aaGuid;
    await this.aaguidUsers.items.upsert({ id: 'model', aaGuid });
    await this.aaguidUsers.items.upsert({ id: `user-${credential.userId}`, aaGuid, userId: credential.userId });
  }

  /** After a delete: the user's marker goes when they hold no other passkey of that model. */
  private async unmarkUsage(userId: string, aaGuid: string): Promise<void> {
    const left = await queryAll<number>(
      this.container,
      'SELECT VALUE COUNT(1) FROM c WHERE c.userId = @userId AND c.aaGuid = @aaGuid',
      [
        { name: '@userId', value: userId },
        { name: '@aaGuid', value: aaGuid },
      ],
    );
    if ((left[0] ?? 0) === 0) await deleteDocument(this.aaguidUsers, `user-${userId}`, aaGuid);
  }

  /**
   * Passkeys stored before the markers existed have none: the first report writes them, once, from
   * a projection of the credentials read page by page (two small upserts per passkey), then records
   * that it did. Idempotent: two reports at once write the same documents.
   */
  private async backfillUsageMarkers(): Promise<void> {
    if (await readDocument(this.aaguidUsers, BACKFILL_ID, BACKFILL_PARTITION)) return;
    const pages = this.container.items.query<{ aaGuid: string; userId: string }>('SELECT c.aaGuid, c.userId FROM c', {
      maxItemCount: BACKFILL_PAGE,
    });
    while (pages.hasMoreResults()) {
      const { resources } = await pages.fetchNext();
      for (const marker of resources) await this.markUsage(marker);
    }
    await this.aaguidUsers.items.upsert({ id: BACKFILL_ID, aaGuid: BACKFILL_PARTITION });
  }

  /**
   * The models in use come from the markers, then each model is one aggregate query over the
   * credentials (indexed on aaGuid) and one count of its user markers (one partition): a few
   * queries per model, whatever the number of passkeys.
   */
  async usageByAaguid(): Promise<AaguidUsage[]> {
    await this.backfillUsageMarkers();
    const models = await queryAll<string>(this.aaguidUsers, "SELECT VALUE c.aaGuid FROM c WHERE c.id = 'model'");
    const rows = await Promise.all(
      models.map(async (aaGuid): Promise<AaguidUsage> => {
        const [[agg], [users]] = await Promise.all([
          queryAll<{
            passkeys?: number;
            attested?: number;
            synced?: number;
            first?: string | null;
            last?: string | null;
            model?: string | null;
          }>(
            this.container,
            "SELECT COUNT(1) AS passkeys, SUM(c.attestationLevel = 'attested' ? 1 : 0) AS attested, SUM(c.backupEligible = true ? 1 : 0) AS synced, MIN(c.createdDateTime) AS first, MAX(c.lastUsedDateTime) AS last, MAX(c.model) AS model FROM c WHERE c.aaGuid = @a",
            [{ name: '@a', value: aaGuid }],
          ),
          queryAll<number>(
            this.aaguidUsers,
            "SELECT VALUE COUNT(1) FROM c WHERE c.aaGuid = @a AND STARTSWITH(c.id, 'user-')",
            [{ name: '@a', value: aaGuid }],
            aaGuid,
          ),
        ]);
        const passkeys = agg?.passkeys ?? 0;
        const attested = agg?.attested ?? 0;
        const synced = agg?.synced ?? 0;
        return {
          aaGuid: aaGuid.toLowerCase(),
          model: typeof agg?.model === 'string' ? agg.model : null,
          passkeys,
          users: users ?? 0,
          attested,
          notAttested: passkeys - attested,
          deviceBound: passkeys - synced,
          synced,
          firstRegisteredDateTime: typeof agg?.first === 'string' ? agg.first : null,
          lastUsedDateTime: typeof agg?.last === 'string' ? agg.last : null,
        };
      }),
    );
    // A model whose last passkey was deleted keeps its marker and answers no row, as in SQLite.
    return rows.filter((r) => r.passkeys > 0).sort((a, b) => a.aaGuid.localeCompare(b.aaGuid));
  }
}
