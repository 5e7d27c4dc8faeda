import { randomUUID } from 'node:crypto';
import { Actor } from '../domain/auth/actor';
import { auditRecord, AuditInput } from '../domain/auditRecords';
import { Group, ListQuery, Page, User, UserType } from '../domain/directory/directory';
import { badRequest, ConcurrencyConflictError, notFound } from '../domain/errors';
import { Clock } from '../ports/clock.port';
import { DirectoryRepository } from '../ports/directory.port';
import { Versioned } from '../ports/versioned';

export interface NewUser {
  userPrincipalName: string;
  displayName: string;
  userType?: UserType;
  accountEnabled?: boolean;
  mail?: string | null;
}

export type UserPatch = Partial<Pick<User, 'userPrincipalName' | 'displayName' | 'userType' | 'accountEnabled' | 'mail'>>;

export interface NewGroup {
  displayName: string;
  securityEnabled: boolean;
  mailEnabled?: boolean;
  description?: string | null;
}

/** A user's UPN changed: the passkeys registered under the old name need re-enrolment. */
export interface UpnChange {
  userId: string;
  oldUserPrincipalName: string;
  newUserPrincipalName: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (value: string) => GUID.test(value);

const resourceMissing = (id: string) =>
  notFound('Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);

/** The embedded directory: users, security groups and memberships, with every change audited. */
export class DirectoryService {
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly clock: Clock,
  ) {}

  private audit(actor: Actor, input: Omit<AuditInput, 'id' | 'at' | 'actor'>) {
    return auditRecord({ ...input, id: randomUUID(), at: this.clock.now(), actor });
  }

  async createUser(input: NewUser, actor: Actor, id: string = randomUUID()): Promise<User> {
    const user: User = {
      id,
      userPrincipalName: input.userPrincipalName,
      displayName: input.displayName,
      userType: input.userType ?? 'Member',
      accountEnabled: input.accountEnabled ?? true,
      mail: input.mail ?? null,
      createdDateTime: this.clock.now().toISOString(),
    };
    const target = { id: user.id, displayName: user.userPrincipalName, type: 'User' };
    await this.directory.createUser(user, this.audit(actor, { category: 'UserManagement', activityDisplayName: 'Add user', operationType: 'Add', target, before: null, after: user }));
    return user;
  }

  /** Finds a user by object id or by userPrincipalName, as Graph's /users/{id | userPrincipalName}. */
  async findUser(idOrUpn: string): Promise<Versioned<User> | null> {
    return isGuid(idOrUpn) ? this.directory.getUserById(idOrUpn) : this.directory.getUserByUpn(idOrUpn);
  }

  async getUser(idOrUpn: string): Promise<Versioned<User>> {
    const found = await this.findUser(idOrUpn);
    if (!found) throw resourceMissing(idOrUpn);
    return found;
  }

  /** Updates a user; returns the UPN change when the userPrincipalName changed. */
  async updateUser(idOrUpn: string, patch: UserPatch, actor: Actor): Promise<{ user: User; upnChange?: UpnChange }> {
    for (;;) {
      const current = await this.getUser(idOrUpn);
      const next: User = { ...current.value, ...patch };
      const target = { id: next.id, displayName: next.userPrincipalName, type: 'User' };
      try {
        await this.directory.updateUser(next, current.etag, this.audit(actor, { category: 'UserManagement', activityDisplayName: 'Update user', operationType: 'Update', target, before: current.value, after: next }));
      } catch (e) {
        if (e instanceof ConcurrencyConflictError) continue;
        throw e;
      }
      const renamed = current.value.userPrincipalName.toLowerCase() !== next.userPrincipalName.toLowerCase();
      return {
        user: next,
        upnChange: renamed ? { userId: next.id, oldUserPrincipalName: current.value.userPrincipalName, newUserPrincipalName: next.userPrincipalName } : undefined,
      };
    }
  }

  async deleteUser(idOrUpn: string, actor: Actor): Promise<void> {
    const { value: user } = await this.getUser(idOrUpn);
    const target = { id: user.id, displayName: user.userPrincipalName, type: 'User' };
    const deleted = await this.directory.deleteUser(user.id, this.audit(actor, { category: 'UserManagement', activityDisplayName: 'Delete user', operationType: 'Delete', target, before: user, after: null }));
    if (!deleted) throw resourceMissing(idOrUpn);
  }

  listUsers(query: ListQuery): Promise<Page<User>> {
    return this.directory.listUsers(query);
  }

  async createGroup(input: NewGroup, actor: Actor, id: string = randomUUID()): Promise<Group> {
    const group: Group = {
      id,
      displayName: input.displayName,
      description: input.description ?? null,
      securityEnabled: input.securityEnabled,
      mailEnabled: input.mailEnabled ?? false,
      createdDateTime: this.clock.now().toISOString(),
    };
    const target = { id: group.id, displayName: group.displayName, type: 'Group' };
    return this.directory.createGroup(group, this.audit(actor, { category: 'GroupManagement', activityDisplayName: 'Add group', operationType: 'Add', target, before: null, after: group }));
  }

  async getGroup(id: string): Promise<Group> {
    const group = isGuid(id) ? await this.directory.getGroup(id) : null;
    if (!group) throw resourceMissing(id);
    return group;
  }

  listGroups(query: ListQuery): Promise<Page<Group>> {
    return this.directory.listGroups(query);
  }

  async addMember(groupId: string, userId: string, actor: Actor): Promise<void> {
    const group = await this.getGroup(groupId);
    const { value: user } = await this.getUser(userId);
    const target = { id: group.id, displayName: group.displayName, type: 'Group' };
    const added = await this.directory.addMember(group.id, user.id, this.audit(actor, { category: 'GroupManagement', activityDisplayName: 'Add member to group', operationType: 'Add', target, before: null, after: { memberId: user.id } }));
    if (!added) {
      throw badRequest('Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'.");
    }
  }

  async removeMember(groupId: string, userId: string, actor: Actor): Promise<void> {
    const group = await this.getGroup(groupId);
    const target = { id: group.id, displayName: group.displayName, type: 'Group' };
    const removed = await this.directory.removeMember(group.id, userId, this.audit(actor, { category: 'GroupManagement', activityDisplayName: 'Remove member from group', operationType: 'Delete', target, before: { memberId: userId }, after: null }));
    if (!removed) throw resourceMissing(userId);
  }

  async listMembers(groupId: string, query: ListQuery): Promise<Page<User>> {
    const group = await this.getGroup(groupId);
    return this.directory.listMembers(group.id, query);
  }

  groupIdsOfUser(userId: string): Promise<string[]> {
    return this.directory.groupIdsOfUser(userId);
  }
}
