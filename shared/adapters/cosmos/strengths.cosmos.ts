import { Container } from '@azure/cosmos';
import { ConcurrencyConflictError } from '../../domain/errors';
import { AuthenticationStrength, ProtectedResource } from '../../domain/strengths/authenticationStrength';
import { StrengthRepository, StrengthWrite } from '../../ports/strengths.port';
import { Versioned } from '../../ports/versioned';
import { strengthInUse, tooManyStrengths } from '../strengthConflicts';
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
import { idTaken } from './storeErrors.cosmos';

/** A resource name is an audience (`api://hr`): Cosmos ids may not hold `/`, so the id is its base64url. */
const resourceDocumentId = (name: string) => Buffer.from(name, 'utf8').toString('base64url');

const byCreation = (a: AuthenticationStrength, b: AuthenticationStrength) =>
  a.createdDateTime === b.createdDateTime
    ? a.id < b.id
      ? -1
      : a.id > b.id
        ? 1
        : 0
    : a.createdDateTime < b.createdDateTime
      ? -1
      : 1;
const byName = (a: ProtectedResource, b: ProtectedResource) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * Custom strengths (`authenticationStrengths`, partitioned by id) and protected resources
 * (`protectedResources`, partitioned by id = base64url of the name, so sign-in reads one by a point
 * read). Both are small (15 strengths at most), so listing is one small cross-partition query.
 * Cosmos DB has no transaction across documents here: the 15 limit and the in-use check are a read
 * then a write, so two admins racing can pass both (a resource then names a deleted strength, which
 * sign-in refuses: it fails closed).
 */
export class CosmosStrengthRepository implements StrengthRepository {
  constructor(
    private readonly strengths: Container,
    private readonly resources: Container,
    private readonly audit: Container,
  ) {}

  async listStrengths(): Promise<AuthenticationStrength[]> {
    const docs = await queryAll<CosmosDocument>(this.strengths, 'SELECT * FROM c');
    return docs.map((d) => toDomainValue<AuthenticationStrength>(d)).sort(byCreation);
  }

  async getStrength(id: string): Promise<Versioned<AuthenticationStrength> | null> {
    const doc = await readDocument(this.strengths, id);
    return doc ? { value: toDomainValue<AuthenticationStrength>(doc), etag: etagOf(doc) } : null;
  }

  async createStrength(strength: AuthenticationStrength, { audit, limit }: StrengthWrite & { limit: number }) {
    if (await readDocument(this.strengths, strength.id)) throw idTaken(strength.id);
    const [count] = await queryAll<number>(this.strengths, 'SELECT VALUE COUNT(1) FROM c');
    if ((count ?? 0) >= limit) throw tooManyStrengths(limit);
    let written: CosmosDocument;
    try {
      written = (await this.strengths.items.create<CosmosDocument>({ ...strength })).resource as CosmosDocument;
    } catch (e) {
      if (isStatus(e, 409)) throw idTaken(strength.id);
      throw e;
    }
    await appendAudit(this.audit, audit);
    return etagOf(written);
  }

  async replaceStrength(strength: AuthenticationStrength, { audit, ifMatch }: StrengthWrite & { ifMatch: string }) {
    let written: CosmosDocument | undefined;
    try {
      written = (
        await this.strengths.item(strength.id, strength.id).replace<CosmosDocument>(
          { ...strength },
          {
            accessCondition: { type: 'IfMatch', condition: ifMatch },
          },
        )
      ).resource;
    } catch (e) {
      if (isStatus(e, 412) || isStatus(e, 404)) throw new ConcurrencyConflictError('authentication strength', ifMatch);
      throw e;
    }
    await appendAudit(this.audit, audit);
    return etagOf(written);
  }

  async deleteStrength(id: string, { audit }: StrengthWrite): Promise<boolean> {
    const users = await this.listResourcesRequiring(id);
    if (users.length)
      throw strengthInUse(
        id,
        users.map((r) => r.name),
      );
    const deleted = await deleteDocument(this.strengths, id);
    if (deleted) await appendAudit(this.audit, audit);
    return deleted;
  }

  async listResources(): Promise<ProtectedResource[]> {
    const docs = await queryAll<CosmosDocument>(this.resources, 'SELECT * FROM c');
    return docs.map((d) => this.resourceOf(d)).sort(byName);
  }

  async getResource(name: string): Promise<ProtectedResource | null> {
    const doc = await readDocument(this.resources, resourceDocumentId(name));
    return doc ? this.resourceOf(doc) : null;
  }

  async listResourcesRequiring(strengthId: string): Promise<ProtectedResource[]> {
    const docs = await queryAll<CosmosDocument>(
      this.resources,
      'SELECT * FROM c WHERE c.authenticationStrengthId = @s',
      [{ name: '@s', value: strengthId }],
    );
    return docs.map((d) => this.resourceOf(d)).sort(byName);
  }

  async putResource(resource: ProtectedResource, { audit }: StrengthWrite): Promise<boolean> {
    const id = resourceDocumentId(resource.name);
    const existed = (await readDocument(this.resources, id)) !== null;
    await this.resources.items.upsert({ ...resource, id });
    await appendAudit(this.audit, audit);
    return !existed;
  }

  async deleteResource(name: string, { audit }: StrengthWrite): Promise<boolean> {
    const deleted = await deleteDocument(this.resources, resourceDocumentId(name));
    if (deleted) await appendAudit(this.audit, audit);
    return deleted;
  }

  private resourceOf(doc: CosmosDocument): ProtectedResource {
    return toDomainValue<ProtectedResource>(doc, ['id']);
  }
}
