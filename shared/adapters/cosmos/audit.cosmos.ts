import { Container, SqlParameter } from '@azure/cosmos';
import { AuditRecord } from '../../domain/audit';
import { Page } from '../../domain/directory/directory';
import { AuditQuery, AuditRepository } from '../../ports/audit.port';
import { assertPageSize, CosmosDocument, isStatus, queryAll, toDomainValue, whereClause } from './documents.cosmos';

/** Newest first needs one sortable property: time, then id to order records of the same instant. */
const SORT_KEY = 'sortKey';

/**
 * Appends an audit record. Cosmos DB has no transaction across containers, so the repositories call
 * this right after their state write succeeded: a change is never recorded without happening, and a
 * crash between the two writes (rare) loses the record rather than inventing one. A 409 means the
 * same record was already appended (a retry), which is what the caller wanted.
 */
export async function appendAudit(container: Container, record: AuditRecord): Promise<void> {
  try {
    await container.items.create({ ...record, [SORT_KEY]: `${record.activityDateTime}|${record.id}` });
  } catch (e) {
    if (!isStatus(e, 409)) throw e;
  }
}

/** The audit log, one document per record, partitioned by record id (listing is a rare, cross-partition read). */
export class CosmosAuditRepository implements AuditRepository {
  constructor(private readonly container: Container) {}

  append(record: AuditRecord): Promise<void> {
    return appendAudit(this.container, record);
  }

  /** Keyset paging on the sort key; the cursor is the sort key of the last record returned. */
  async list(query: AuditQuery): Promise<Page<AuditRecord>> {
    assertPageSize(query.top);
    const where: string[] = [];
    const parameters: SqlParameter[] = [{ name: '@top', value: query.top + 1 }];
    const add = (clause: string, name: string, value: string) => {
      where.push(clause);
      parameters.push({ name, value });
    };
    if (query.from) add('c.activityDateTime >= @from', '@from', query.from);
    if (query.to) add('c.activityDateTime < @to', '@to', query.to);
    if (query.after) add(`c.${SORT_KEY} < @after`, '@after', query.after);
    const docs = await queryAll<CosmosDocument>(
      this.container,
      `SELECT TOP @top * FROM c ${whereClause(where)} ORDER BY c.${SORT_KEY} DESC`,
      parameters,
    );
    const page = docs.slice(0, query.top);
    return {
      items: page.map((d) => toDomainValue<AuditRecord>(d, [SORT_KEY])),
      next: docs.length > query.top ? String(page[page.length - 1][SORT_KEY]) : undefined,
    };
  }
}
