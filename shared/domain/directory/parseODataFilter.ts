import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import { FilterClause } from './directory';

const FIELDS = new Set(['displayName', 'userPrincipalName']);
const EQ = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i;
const STARTSWITH = /^\s*startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$/i;

/**
 * Parses the `$filter` subset Graph supports on users and groups that we implement:
 * `field eq 'value'` and `startswith(field,'value')`, joined by `and`. OData escapes `'` as `''`.
 */
export function parseODataFilter(filter: string | undefined, allowed: ReadonlySet<string> = FIELDS): FilterClause[] {
  if (filter === undefined || filter.trim() === '') return [];
  const parts = filter.split(/\s+and\s+(?=(?:[^']*'[^']*')*[^']*$)/i);
  return parts.map((part) => {
    const match = EQ.exec(part) ?? STARTSWITH.exec(part);
    if (!match) {
      throw new DomainError(
        ErrorCodes.badRequest,
        `Invalid $filter clause '${part.trim()}'; expected "field eq 'value'" or "startswith(field,'value')".`,
      );
    }
    const field = [...allowed].find((f) => f.toLowerCase() === match[1].toLowerCase());
    if (!field) {
      throw new DomainError(
        ErrorCodes.badRequest,
        `Unsupported $filter property '${match[1]}'; expected one of ${[...allowed].join(', ')}.`,
      );
    }
    return {
      field: field as FilterClause['field'],
      op: EQ.exec(part) ? 'eq' : 'startswith',
      value: match[2].replace(/''/g, "'"),
    };
  });
}
