import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';

/**
 * A directory role assignment in Graph's `unifiedRoleAssignment` shape. Only tenant-wide
 * assignments exist here (`directoryScopeId: "/"`); `roleDefinitionId` is the role template id.
 */
export interface RoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: '/';
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const guidBytes = (guid: string) => Buffer.from(guid.replace(/-/g, ''), 'hex');
const guidOf = (bytes: Buffer) => {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};
const TENANT_SCOPE_SUFFIX = '-1';

/**
 * The assignment's id, derived from role and principal as Graph derives tenant-scoped ids
 * (base64url of the two GUIDs, then `-1`): assigning the same role twice to the same principal
 * collides on the id, so every store refuses the duplicate without a secondary index.
 */
export function roleAssignmentId(roleDefinitionId: string, principalId: string): string {
  return `${Buffer.concat([guidBytes(roleDefinitionId.toLowerCase()), guidBytes(principalId.toLowerCase())]).toString('base64url')}${TENANT_SCOPE_SUFFIX}`;
}

/** The principal and role an id names, or null when the id is not one we issue. */
export function parseRoleAssignmentId(id: string): { roleDefinitionId: string; principalId: string } | null {
  if (!id.endsWith(TENANT_SCOPE_SUFFIX)) return null;
  const body = id.slice(0, -TENANT_SCOPE_SUFFIX.length);
  if (!/^[A-Za-z0-9_-]{43}$/.test(body)) return null;
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length !== 32 || bytes.toString('base64url') !== body) return null;
  const roleDefinitionId = guidOf(bytes.subarray(0, 16));
  const principalId = guidOf(bytes.subarray(16));
  return GUID.test(roleDefinitionId) && GUID.test(principalId) ? { roleDefinitionId, principalId } : null;
}

/** Builds a tenant-wide assignment of a role to a principal. */
export function newRoleAssignment(roleDefinitionId: string, principalId: string): RoleAssignment {
  return {
    id: roleAssignmentId(roleDefinitionId, principalId),
    principalId: principalId.toLowerCase(),
    roleDefinitionId: roleDefinitionId.toLowerCase(),
    directoryScopeId: '/',
  };
}

/** The conflict every store reports for an assignment that exists already (409, as Graph). */
export const roleAssignmentExists = (a: Pick<RoleAssignment, 'principalId' | 'roleDefinitionId'>) =>
  new DomainError(
    ErrorCodes.objectConflict,
    `A conflicting object with one or more of the specified property values is present in the directory: role '${a.roleDefinitionId}' is already assigned to '${a.principalId}' at scope '/'.`,
  );
