import { Container } from '@azure/cosmos';
import { AuditRecord } from '../../domain/audit';
import { ConcurrencyConflictError } from '../../domain/errors';
import { CredentialRepository, StoredCredential } from '../../ports/credentials.port';
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

/** Passkeys, partitioned by credential id so sign-in is a point read. */
export class CosmosCredentialRepository implements CredentialRepository {
  constructor(
    private readonly container: Container,
    private readonly auditContainer: Container,
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

  /** Scoped by user: a caller can only delete a passkey of the user it names. */
  async delete(userId: string, id: string, audit: AuditRecord): Promise<boolean> {
    for (let attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
      const doc = await readDocument(this.container, id);
      if (!doc || doc.userId !== userId) return false;
      try {
        // If-Match: the owner we checked is the owner of what we delete.
        if (!(await deleteDocument(this.container, id, id, etagOf(doc)))) return false;
        await appendAudit(this.auditContainer, audit);
        return true;
      } catch (e) {
        if (!isStatus(e, 412)) throw e;
      }
    }
    throw new ConcurrencyConflictError(`passkey ${id}`, undefined);
  }
}
