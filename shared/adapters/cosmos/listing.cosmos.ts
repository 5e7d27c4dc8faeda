import { Container, SqlParameter } from '@azure/cosmos';
import { FilterClause, ListQuery, Page } from '../../domain/directory/directory';
import { assertPageSize, CosmosDocument, queryAll, toDomainValue, whereClause } from './documents.cosmos';

/**
 * Helper property holding lower-case copies of the filterable fields: Graph filters are
 * case-insensitive, and cosmosdb-server lacks STARTSWITH's ignore-case argument while a computed
 * LOWER() in a filter cannot use Cosmos DB's index.
 */
export const LOWERCASE_FIELD = 'lowercase';

export type LowercaseCopies = { [F in FilterClause['field']]?: string };

/** The document to store for a user or group: the value plus its lower-case search copies. */
export function withLowercaseCopies<T extends { id: string; displayName: string; userPrincipalName?: string }>(
  value: T,
): T & { [LOWERCASE_FIELD]: LowercaseCopies } {
  const copies: LowercaseCopies = { displayName: value.displayName.toLowerCase() };
  if (value.userPrincipalName !== undefined) copies.userPrincipalName = value.userPrincipalName.toLowerCase();
  return { ...value, [LOWERCASE_FIELD]: copies };
}

export const lowercaseCopiesOf = (doc: CosmosDocument) => (doc[LOWERCASE_FIELD] ?? {}) as LowercaseCopies;

/** Filter clauses as Cosmos SQL over the lower-case copies, with numbered parameters. */
export function filterToCosmos(filter: FilterClause[]): { where: string[]; parameters: SqlParameter[] } {
  const where: string[] = [];
  const parameters: SqlParameter[] = [];
  filter.forEach((clause, i) => {
    const field = `c.${LOWERCASE_FIELD}.${clause.field}`;
    const name = `@filter${i}`;
    where.push(clause.op === 'eq' ? `${field} = ${name}` : `STARTSWITH(${field}, ${name})`);
    parameters.push({ name, value: clause.value.toLowerCase() });
  });
  return { where, parameters };
}

/**
 * Keyset paging ordered by id, as the SQLite store does: TOP n+1 tells whether more follow, and
 * `id > after` resumes. (cosmosdb-server has no OFFSET/LIMIT; keysets are cheaper on Cosmos anyway.)
 */
export async function keysetPage<T>(
  container: Container,
  query: ListQuery,
  extra: { where: string[]; parameters: SqlParameter[] } = { where: [], parameters: [] },
): Promise<Page<T>> {
  assertPageSize(query.top);
  const { where, parameters } = filterToCosmos(query.filter);
  where.push(...extra.where);
  parameters.push(...extra.parameters, { name: '@top', value: query.top + 1 });
  if (query.after !== undefined) {
    where.push('c.id > @after');
    parameters.push({ name: '@after', value: query.after });
  }
  const docs = await queryAll<CosmosDocument>(
    container,
    `SELECT TOP @top * FROM c ${whereClause(where)} ORDER BY c.id`,
    parameters,
  );
  const page = docs.slice(0, query.top);
  return {
    items: page.map((d) => toDomainValue<T>(d, [LOWERCASE_FIELD])),
    next: docs.length > query.top ? page[page.length - 1].id : undefined,
  };
}
