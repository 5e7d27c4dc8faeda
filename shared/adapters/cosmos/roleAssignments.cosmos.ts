import { Container } from '@azure/cosmos';
import { AuditRecord } from '../../domain/audit';
import { parseRoleAssignmentId, RoleAssignment, roleAssignmentExists } from '../../domain/auth/roleAssignment';
import { RoleAssignmentFilter } from '../../ports/directory.port';
import { appendAudit } from './audit.cosmos';
import {
  CosmosDocument,
  deleteDocument,
  isStatus,
  queryAll,
  readDocument,
  toDomainValue,
  whereClause,
} from './documents.cosmos';

/**
 * Role assignments on Cosmos DB, partitioned by principal id. The id is derived from role and
 * principal, so a duplicate collides on the id within its partition (409), and a point read by id
 * finds its partition from the id itself. The audit record is appended after the state write.
 */
export class CosmosRoleAssignments {
  constructor(
    private readonly container: Container,
    private readonly auditContainer: Container,
  ) {}

  async create(assignment: RoleAssignment, audit: AuditRecord): Promise<void> {
    try {
      await this.container.items.create<CosmosDocument>({ ...assignment });
    } catch (e) {
      if (isStatus(e, 409)) throw roleAssignmentExists(assignment);
      throw e;
    }
    await appendAudit(this.auditContainer, audit);
  }

  async get(id: string): Promise<RoleAssignment | null> {
    const key = parseRoleAssignmentId(id);
    if (!key) return null;
    const doc = await readDocument(this.container, id, key.principalId);
    return doc ? toDomainValue<RoleAssignment>(doc) : null;
  }

  async list(filter: RoleAssignmentFilter): Promise<RoleAssignment[]> {
    const clauses: string[] = [];
    const parameters: Array<{ name: string; value: string }> = [];
    if (filter.principalId !== undefined) {
      clauses.push('c.principalId = @principalId');
      parameters.push({ name: '@principalId', value: filter.principalId.toLowerCase() });
    }
    if (filter.roleDefinitionId !== undefined) {
      clauses.push('c.roleDefinitionId = @roleDefinitionId');
      parameters.push({ name: '@roleDefinitionId', value: filter.roleDefinitionId.toLowerCase() });
    }
    const docs = await queryAll<CosmosDocument>(
      this.container,
      `SELECT * FROM c ${whereClause(clauses)}`,
      parameters,
      filter.principalId?.toLowerCase(),
    );
    // Ordered by id, as the SQLite store returns them (sorted here: no cross-partition ORDER BY needed).
    return docs.map((d) => toDomainValue<RoleAssignment>(d)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async delete(id: string, audit: AuditRecord): Promise<boolean> {
    const key = parseRoleAssignmentId(id);
    if (!key) return false;
    if (!(await deleteDocument(this.container, id, key.principalId))) return false;
    await appendAudit(this.auditContainer, audit);
    return true;
  }
}
