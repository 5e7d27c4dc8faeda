import { randomUUID } from 'node:crypto';
import { FilterClause } from '../../domain/directory/directory';

/** ETags look like Cosmos DB's: an opaque quoted string, new on every write. */
export const newEtag = () => `"${randomUUID()}"`;

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

const COLUMN: Record<FilterClause['field'], string> = {
  displayName: 'display_lower',
  userPrincipalName: 'upn_lower',
};

/** Translates filter clauses into a WHERE fragment over the lower-cased columns. */
export function filterToSql(filter: FilterClause[]): { where: string[]; params: string[] } {
  const where: string[] = [];
  const params: string[] = [];
  for (const clause of filter) {
    const column = COLUMN[clause.field];
    if (clause.op === 'eq') {
      where.push(`${column} = ?`);
      params.push(clause.value.toLowerCase());
    } else {
      where.push(`${column} LIKE ? ESCAPE '\\'`);
      params.push(`${escapeLike(clause.value.toLowerCase())}%`);
    }
  }
  return { where, params };
}
