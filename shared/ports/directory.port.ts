import { AuditRecord } from '../domain/audit';
import { Group, ListQuery, Page, User } from '../domain/directory/directory';
import { Versioned } from './versioned';

/**
 * Users, groups and memberships. UPNs are unique case-insensitively: creating or renaming to a
 * taken UPN throws a DomainError with kind `conflict`.
 */
export interface DirectoryRepository {
  createUser(user: User, audit: AuditRecord): Promise<Versioned<User>>;
  getUserById(id: string): Promise<Versioned<User> | null>;
  getUserByUpn(userPrincipalName: string): Promise<Versioned<User> | null>;
  /** Replaces the user; throws ConcurrencyConflictError when `ifMatch` is stale. */
  updateUser(user: User, ifMatch: string, audit: AuditRecord): Promise<Versioned<User>>;
  /** Deletes the user and their memberships; false when there was no such user. */
  deleteUser(id: string, audit: AuditRecord): Promise<boolean>;
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
}
