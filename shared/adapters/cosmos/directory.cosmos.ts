import { Container } from '@azure/cosmos';
import { AuditRecord } from '../../domain/audit';
import { Group, ListQuery, Page, User } from '../../domain/directory/directory';
import { ConcurrencyConflictError } from '../../domain/errors';
import { RoleAssignment } from '../../domain/auth/roleAssignment';
import { DirectoryRepository, RoleAssignmentFilter, UserDeletionAudits } from '../../ports/directory.port';
import { Versioned } from '../../ports/versioned';
import { appendAudit } from './audit.cosmos';
import { CosmosDocument, deleteDocument, etagOf, isStatus, readDocument, toDomainValue } from './documents.cosmos';
import { keysetPage, LOWERCASE_FIELD, lowercaseCopiesOf, withLowercaseCopies } from './listing.cosmos';
import { CosmosConsumedChallengeRepository } from './challenges.cosmos';
import { CosmosCredentialRepository } from './credentials.cosmos';
import { CosmosMemberships } from './memberships.cosmos';
import { CosmosRoleAssignments } from './roleAssignments.cosmos';
import { idTaken } from './storeErrors.cosmos';
import { UpnIndex } from './upnIndex.cosmos';

/** The containers the directory reads and writes (audit: for the records of its changes). */
export interface DirectoryContainers {
  users: Container;
  userUpns: Container;
  groups: Container;
  memberships: Container;
  /** A deleted user's passkeys and role assignments go with them. */
  credentials: Container;
  /** The inventory markers of the passkeys that go with a deleted user. */
  aaguidUsers: Container;
  roleAssignments: Container;
  audit: Container;
  /** Only for the passkey repository's sign-in writes, which the directory never makes. */
  consumedChallenges: Container;
}

/** A user deleted or renamed concurrently between our read and our delete: retry a few times. */
const DELETE_ATTEMPTS = 3;

/**
 * Users, groups and memberships on Cosmos DB. Without cross-container transactions, each change is
 * ordered so a crash part-way leaves nothing visible: the UPN is reserved before the user is written
 * (and released if that write fails), and the audit record is appended after the state write.
 */
export class CosmosDirectoryRepository implements DirectoryRepository {
  private readonly upns: UpnIndex;
  private readonly memberships: CosmosMemberships;
  private readonly credentials: CosmosCredentialRepository;
  private readonly roleAssignments: CosmosRoleAssignments;

  constructor(
    private readonly containers: DirectoryContainers,
    options: { staleUpnReservationSeconds: number },
  ) {
    this.upns = new UpnIndex(containers.userUpns, containers.users, options.staleUpnReservationSeconds);
    this.memberships = new CosmosMemberships(containers.memberships, containers.users);
    this.credentials = new CosmosCredentialRepository(
      containers.credentials,
      containers.audit,
      containers.aaguidUsers,
      new CosmosConsumedChallengeRepository(containers.consumedChallenges),
    );
    this.roleAssignments = new CosmosRoleAssignments(containers.roleAssignments, containers.audit);
  }

  async createUser(user: User, audit: AuditRecord): Promise<Versioned<User>> {
    const reservedNow = await this.upns.reserve(user.userPrincipalName, user.id);
    let written: { _etag?: string } | undefined;
    try {
      written = (await this.containers.users.items.create(withLowercaseCopies(user))).resource;
    } catch (e) {
      if (reservedNow) await this.releaseQuietly(user.userPrincipalName, user.id);
      if (isStatus(e, 409)) throw idTaken(user.id);
      throw e;
    }
    await appendAudit(this.containers.audit, audit);
    return { value: user, etag: etagOf(written) };
  }

  /** Directory ids are GUIDs, compared case-insensitively as Graph does (stored lower-case). */
  async getUserById(id: string): Promise<Versioned<User> | null> {
    const doc = await readDocument(this.containers.users, id.toLowerCase());
    return doc ? versionedUser(doc) : null;
  }

  /** Two point reads; the user must still hold the UPN (a rename may be half done). */
  async getUserByUpn(userPrincipalName: string): Promise<Versioned<User> | null> {
    const holderId = await this.upns.holderIdOf(userPrincipalName);
    if (holderId === null) return null;
    const doc = await readDocument(this.containers.users, holderId);
    return doc && lowercaseCopiesOf(doc).userPrincipalName === userPrincipalName.toLowerCase()
      ? versionedUser(doc)
      : null;
  }

  /** A UPN change reserves the new UPN first, writes the user If-Match, then releases the old one. */
  async updateUser(user: User, ifMatch: string, audit: AuditRecord): Promise<Versioned<User>> {
    const current = await readDocument(this.containers.users, user.id);
    // Checked before reserving, so a stale write reports the stale ETag, as the SQLite store does.
    if (!current || current._etag !== ifMatch) throw new ConcurrencyConflictError(`user ${user.id}`, ifMatch);
    const oldUpn = lowercaseCopiesOf(current).userPrincipalName;
    const renamed = oldUpn !== user.userPrincipalName.toLowerCase();
    const reservedNow = renamed && (await this.upns.reserve(user.userPrincipalName, user.id));
    let written: { _etag?: string } | undefined;
    try {
      written = (
        await this.containers.users
          .item(user.id, user.id)
          .replace(withLowercaseCopies(user), { accessCondition: { type: 'IfMatch', condition: ifMatch } })
      ).resource;
    } catch (e) {
      if (reservedNow) await this.releaseQuietly(user.userPrincipalName, user.id);
      if (isStatus(e, 412) || isStatus(e, 404)) throw new ConcurrencyConflictError(`user ${user.id}`, ifMatch);
      throw e;
    }
    if (renamed && oldUpn !== undefined) await this.releaseQuietly(oldUpn, user.id);
    await appendAudit(this.containers.audit, audit);
    return { value: user, etag: etagOf(written) };
  }

  /**
   * Passkeys and role assignments first (each removal audited), then the user: a crash part-way
   * leaves a user with fewer passkeys or roles, never a deleted user whose passkeys still sign in
   * or whose roles would pass to a new user of the same id; a retry finishes the job.
   */
  async deleteUser(id: string, audits: UserDeletionAudits): Promise<boolean> {
    if (!(await readDocument(this.containers.users, id))) return false;
    await this.removeDependentsOf(id, audits);
    for (let attempt = 1; attempt <= DELETE_ATTEMPTS; attempt++) {
      const current = await readDocument(this.containers.users, id);
      if (!current) return false;
      try {
        // If-Match: the UPN we release below is the one the deleted user held.
        if (!(await deleteDocument(this.containers.users, id, id, etagOf(current)))) return false;
      } catch (e) {
        if (isStatus(e, 412)) continue;
        throw e;
      }
      await this.memberships.removeAllOf(id);
      const upn = lowercaseCopiesOf(current).userPrincipalName;
      if (upn !== undefined) await this.releaseQuietly(upn, id);
      await appendAudit(this.containers.audit, audits.user);
      // A passkey registered while we deleted (the registration read the user before): remove it too.
      await this.removeDependentsOf(id, audits);
      return true;
    }
    throw new ConcurrencyConflictError(`user ${id}`, undefined);
  }

  private async removeDependentsOf(userId: string, audits: UserDeletionAudits): Promise<void> {
    for (const credential of await this.credentials.listByUser(userId))
      await this.credentials.delete(userId, credential.id, audits.passkey(credential));
    for (const assignment of await this.roleAssignments.list({ principalId: userId }))
      await this.roleAssignments.delete(assignment.id, audits.roleAssignment(assignment));
  }

  listUsers(query: ListQuery): Promise<Page<User>> {
    return keysetPage<User>(this.containers.users, query);
  }

  async createGroup(group: Group, audit: AuditRecord): Promise<Group> {
    try {
      await this.containers.groups.items.create(withLowercaseCopies(group));
    } catch (e) {
      if (isStatus(e, 409)) throw idTaken(group.id);
      throw e;
    }
    await appendAudit(this.containers.audit, audit);
    return group;
  }

  async getGroup(id: string): Promise<Group | null> {
    const doc = await readDocument(this.containers.groups, id.toLowerCase());
    return doc ? toDomainValue<Group>(doc, [LOWERCASE_FIELD]) : null;
  }

  /** Groups have no UPN: a filter on it matches nothing (as in the SQLite store). */
  async listGroups(query: ListQuery): Promise<Page<Group>> {
    if (query.filter.some((f) => f.field !== 'displayName')) return { items: [] };
    return keysetPage<Group>(this.containers.groups, query);
  }

  async addMember(groupId: string, userId: string, audit: AuditRecord): Promise<boolean> {
    const added = await this.memberships.add(groupId, userId);
    if (added) await appendAudit(this.containers.audit, audit);
    return added;
  }

  async removeMember(groupId: string, userId: string, audit: AuditRecord): Promise<boolean> {
    const removed = await this.memberships.remove(groupId, userId);
    if (removed) await appendAudit(this.containers.audit, audit);
    return removed;
  }

  listMembers(groupId: string, query: ListQuery): Promise<Page<User>> {
    return this.memberships.listMembers(groupId, query);
  }

  groupIdsOfUser(userId: string): Promise<string[]> {
    return this.memberships.groupIdsOf(userId);
  }

  createRoleAssignment(assignment: RoleAssignment, audit: AuditRecord): Promise<void> {
    return this.roleAssignments.create(assignment, audit);
  }

  getRoleAssignment(id: string): Promise<RoleAssignment | null> {
    return this.roleAssignments.get(id);
  }

  listRoleAssignments(filter: RoleAssignmentFilter): Promise<RoleAssignment[]> {
    return this.roleAssignments.list(filter);
  }

  deleteRoleAssignment(id: string, audit: AuditRecord): Promise<boolean> {
    return this.roleAssignments.delete(id, audit);
  }

  /**
   * Releasing is clean-up after the decisive write (or its failure): if it fails, the reservation
   * stays behind, and UpnIndex.reserve reclaims it once it is stale, so it must not fail the call.
   */
  private async releaseQuietly(userPrincipalName: string, userId: string): Promise<void> {
    try {
      await this.upns.release(userPrincipalName, userId);
    } catch {
      // See above: a left-over reservation is reclaimed later.
    }
  }
}

const versionedUser = (doc: CosmosDocument): Versioned<User> => ({
  value: toDomainValue<User>(doc, [LOWERCASE_FIELD]),
  etag: etagOf(doc),
});
