import { parseODataFilter } from '../directory/parseODataFilter';
import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';

const FIELDS: ReadonlySet<string> = new Set(['principalId', 'roleDefinitionId']);

/**
 * Graph's `$filter` on roleAssignments as we support it: `principalId eq '...'` and/or
 * `roleDefinitionId eq '...'` joined by `and`.
 */
export function parseRoleAssignmentFilter(filter: string | undefined): {
  principalId?: string;
  roleDefinitionId?: string;
} {
  const result: { principalId?: string; roleDefinitionId?: string } = {};
  for (const clause of parseODataFilter(filter, FIELDS)) {
    const field: string = clause.field;
    if (clause.op !== 'eq')
      throw new DomainError(
        ErrorCodes.badRequest,
        `Unsupported $filter operator on '${field}': received startswith, expected "${field} eq 'value'".`,
      );
    if (field === 'principalId') result.principalId = clause.value;
    else result.roleDefinitionId = clause.value;
  }
  return result;
}
