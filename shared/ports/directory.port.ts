import { AuditRecord } from '../domain/audit';
import { RoleAssignment } from '../domain/auth/roleAssignment';
import { Group, ListQuery, Page, User } from '../domain/directory/directory';
import { StoredCredential } from './credentials.port';
import { Versioned } from './versioned';

/**
 * The audit records of what goes with a deleted user: each passkey and each role assignment is
 * recorded as its own change (so `fido2Method.deleted` consumers hear of it), built by the service
 * from what the store actually removes.
 */
export interface UserDeletionAudits {
  user: AuditRecord;
  passkey(credential: StoredCredential): AuditRecord;
  roleAssignment(assignment: RoleAssignment): AuditRecord;
}

/** Which role assignments to list: every given property must match (Graph's `$filter ... eq`). */
export interface RoleAssignmentFilter {
  principalId?: string;
  roleDefinitionId?: string;
}

/**
 * Users, groups, memberships and directory role assignments. UPNs are unique case-insensitively:
 * creating or renaming to a taken UPN throws a DomainError with kind `conflict`.
 */
export interface DirectoryRepository {
  createUser(user: User, audit: AuditRecord): Promise<Versioned<User>>;
  getUserById(id: string): Promise<Versioned<User> | null>;
  getUserByUpn(userPrincipalName: string): Promise<Versioned<User> | null>;
  /** Replaces the user; throws ConcurrencyConflictError when `ifMatch` is stale. */
  updateUser(user: User, ifMatch: string, audit: AuditRecord): Promise<Versioned<User>>;
  /**
   * Deletes the user with their memberships, passkeys and role assignments, each removal audited;
   * false when there was no such user.
   */
  deleteUser(id: string, audits: UserDeletionAudits): Promise<boolean>;
  listUsers(query: ListQuery): Promise<Page<User>>;

  createGroup(group: Group, audit: AuditRecord): Promise<Group>;
  getGroup(id: string): Promise<Group | null>;
  listGroups(query: ListQuery): Promise<Page<Group>>;
  /** Adds a member; false when the user was already a member. */
  addMember(groupId: string, userId: string, audit: AuditRecord): Promise<boolean>;
  /** Removes a member; false when the user was not a member. */
  removeMember(groupId: string, userId: string, audit: AuditRecord): Promise<boolean>;
  listMembers(groupId: string, query: ListQuery): Promise<Page<User>>;
  /** The ids of the groups a user is a direct member of (hot path of policy evaluation). */
  groupIdsOfUser(userId: string): Promise<string[]>;

  /** Records the assignment with its audit record; a DomainError `conflict` when it exists already. */
  createRoleAssignment(assignment: RoleAssignment, audit: AuditRecord): Promise<void>;
  getRoleAssignment(id: string): Promise<RoleAssignment | null>;
  /** Assignments matching the filter, ordered by id. */
  listRoleAssignments(filter: RoleAssignmentFilter): Promise<RoleAssignment[]>;
  /** Removes the assignment with its audit record; false when there was none. */
  deleteRoleAssignment(id: string, audit: AuditRecord): Promise<boolean>;
}
