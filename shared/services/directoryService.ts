import { randomUUID } from 'node:crypto';
import { Actor, actorOf } from '../domain/auth/actor';
import { Principal } from '../domain/auth/principal';
import {
  assertMayActOnUser,
  mayActOnPrivilegedUser,
  SensitiveAction,
  SIGN_IN_PROPERTIES,
} from '../domain/auth/privilegedTargets';
import { newRoleAssignment, RoleAssignment } from '../domain/auth/roleAssignment';
import { auditRecord, AuditInput, passkeyActivityName } from '../domain/auditRecords';
import { Group, ListQuery, Page, User, UserType } from '../domain/directory/directory';
import { DomainError } from '../domain/errors';
import { ErrorCodes } from '../domain/errorCodes';
import { Clock } from '../ports/clock.port';
import { DirectoryRepository, RoleAssignmentFilter, UserDeletionAudits } from '../ports/directory.port';
import { Versioned } from '../ports/versioned';
import { ChangeSignal } from '../ports/changes.port';
import { ChangeCache } from './changeCache';
import { retryOnConflict } from './retryOnConflict';
import { toFido2Method } from './webauthn/fido2Method';
import { EventTypes } from '../domain/events/eventTypes';

export interface NewUser {
  userPrincipalName: string;
  displayName: string;
  userType?: UserType;
  accountEnabled?: boolean;
  mail?: string | null;
}

export type UserPatch = Partial<
  Pick<User, 'userPrincipalName' | 'displayName' | 'userType' | 'accountEnabled' | 'mail'>
>;

export interface NewGroup {
  displayName: string;
  securityEnabled: boolean;
  mailEnabled?: boolean;
  description?: string | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (value: string) => GUID.test(value);

const resourceMissing = (id: string) =>
  new DomainError(
    ErrorCodes.resourceNotFound,
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

/** A new role assignment, as Graph's `unifiedRoleAssignment` create body (tenant scope only). */
export interface NewRoleAssignment {
  principalId: string;
  roleDefinitionId: string;
}

const assignmentMissing = (id: string) =>
  new DomainError(ErrorCodes.resourceNotFound, `No role assignment with id '${id}' exists.`);

/**
 * The embedded directory: users, security groups, memberships and directory role assignments,
 * with every change audited.
 */
export class DirectoryService {
  /** Users by id and their groups, as every sign-in reads them: kept until the store signals a change. */
  private readonly usersById: ChangeCache<Versioned<User> | null>;
  private readonly groupsOfUser: ChangeCache<string[]>;

  /** @param changes the store's change signal; pass it only when `directory` is that store's. */
  constructor(
    private readonly directory: DirectoryRepository,
    private readonly clock: Clock,
    changes?: ChangeSignal,
  ) {
    this.usersById = new ChangeCache(changes);
    this.groupsOfUser = new ChangeCache(changes);
  }

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
    await this.directory.createUser(
      user,
      this.audit(actor, {
        category: 'UserManagement',
        activityDisplayName: 'Add user',
        eventType: EventTypes.userCreated,
        operationType: 'Add',
        target,
        before: null,
        after: user,
      }),
    );
    return user;
  }

  /** Finds a user by object id or by userPrincipalName, as Graph's /users/{id | userPrincipalName}. */
  async findUser(idOrUpn: string): Promise<Versioned<User> | null> {
    // By UPN stays uncached: sign-in options must cost the same for a known and an unknown UPN. What
    // it finds is kept by id, for the sign-in verify that follows (which reads the user by id).
    return isGuid(idOrUpn)
      ? this.usersById.get(idOrUpn, () => this.directory.getUserById(idOrUpn))
      : this.usersById.lookup(
          () => this.directory.getUserByUpn(idOrUpn),
          (found) => (found ? [found.value.id, found] : undefined),
        );
  }

  async getUser(idOrUpn: string): Promise<Versioned<User>> {
    const found = await this.findUser(idOrUpn);
    if (!found) throw resourceMissing(idOrUpn);
    return found;
  }

  /**
   * Updates a user and answers it as stored; a UPN change reaches the re-enrolment flow as the
   * `user.upnChanged` event of the audit record, not through this result. Changing a sign-in
   * property (UPN, accountEnabled, userType, mail) of a user who holds a privileged role takes a
   * Privileged Authentication Administrator or Global Administrator (Entra's sensitive attributes).
   * A write that loses a race is retried on the fresh user, a bounded number of times (then 412).
   */
  async updateUser(idOrUpn: string, patch: UserPatch, principal: Principal): Promise<User> {
    const actor = actorOf(principal);
    return retryOnConflict(async () => {
      const current = await this.getUser(idOrUpn);
      const next: User = { ...current.value, ...patch };
      if (SIGN_IN_PROPERTIES.some((p) => current.value[p] !== next[p]))
        await this.assertMayActOnUser(principal, 'signInProperties', current.value);
      const target = { id: next.id, displayName: next.userPrincipalName, type: 'User' };
      const eventType =
        next.userPrincipalName === current.value.userPrincipalName ? EventTypes.userUpdated : EventTypes.userUpnChanged;
      await this.directory.updateUser(
        next,
        current.etag,
        this.audit(actor, {
          category: 'UserManagement',
          activityDisplayName: 'Update user',
          eventType,
          operationType: 'Update',
          target,
          before: current.value,
          after: next,
        }),
      );
      return next;
    });
  }

  /**
   * Deletes a user with their memberships, passkeys and role assignments (each removal audited, so
   * consumers hear `fido2Method.deleted`). A user holding a privileged role takes a PAA or GA.
   */
  async deleteUser(idOrUpn: string, principal: Principal): Promise<void> {
    const actor = actorOf(principal);
    const { value: user } = await this.getUser(idOrUpn);
    await this.assertMayActOnUser(principal, 'deleteUser', user);
    const target = { id: user.id, displayName: user.userPrincipalName, type: 'User' };
    const audits: UserDeletionAudits = {
      user: this.audit(actor, {
        category: 'UserManagement',
        activityDisplayName: 'Delete user',
        eventType: EventTypes.userDeleted,
        operationType: 'Delete',
        target,
        before: user,
        after: null,
      }),
      passkey: (credential) =>
        this.audit(actor, {
          category: 'UserManagement',
          activityDisplayName: passkeyActivityName('Delete', credential.backupEligible),
          eventType: EventTypes.fido2MethodDeleted,
          operationType: 'Delete',
          target,
          before: toFido2Method(credential),
          after: null,
        }),
      roleAssignment: (assignment) =>
        this.roleAssignmentAudit(actor, 'Remove member from role', assignment, user.userPrincipalName),
    };
    const deleted = await this.directory.deleteUser(user.id, audits);
    if (!deleted) throw resourceMissing(idOrUpn);
  }

  /**
   * Refuses (403) when `user` holds a privileged directory role and the caller may not perform
   * `action` on such users (Entra: "who can perform sensitive actions"). The user's roles are read
   * from the directory's role assignments, never from a token.
   */
  async assertMayActOnUser(
    principal: Principal,
    action: SensitiveAction,
    user: Pick<User, 'id' | 'userPrincipalName'>,
  ): Promise<void> {
    // A PAA, GA or app holding the right may act on anyone: the user's roles need not be read.
    if (mayActOnPrivilegedUser(principal, action)) return;
    assertMayActOnUser(principal, action, {
      userPrincipalName: user.userPrincipalName,
      roleDefinitionIds: await this.roleIdsOfUser(user.id),
    });
  }

  /** As {@link assertMayActOnUser}, for a user named by id or userPrincipalName (404 when unknown). */
  async assertMayActOnUserNamed(principal: Principal, action: SensitiveAction, idOrUpn: string): Promise<void> {
    const { value: user } = await this.getUser(idOrUpn);
    await this.assertMayActOnUser(principal, action, user);
  }

  /** The role template ids assigned to a user, tenant-wide. */
  async roleIdsOfUser(userId: string): Promise<string[]> {
    return (await this.directory.listRoleAssignments({ principalId: userId })).map((a) => a.roleDefinitionId);
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
    return this.directory.createGroup(
      group,
      this.audit(actor, {
        category: 'GroupManagement',
        activityDisplayName: 'Add group',
        eventType: EventTypes.groupCreated,
        operationType: 'Add',
        target,
        before: null,
        after: group,
      }),
    );
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
    const added = await this.directory.addMember(
      group.id,
      user.id,
      this.audit(actor, {
        category: 'GroupManagement',
        activityDisplayName: 'Add member to group',
        eventType: EventTypes.groupMemberAdded,
        operationType: 'Add',
        target,
        before: null,
        after: { memberId: user.id },
      }),
    );
    if (!added) {
      throw new DomainError(
        ErrorCodes.invalidReference,
        "One or more added object references already exist for the following modified properties: 'members'.",
      );
    }
  }

  async removeMember(groupId: string, userId: string, actor: Actor): Promise<void> {
    const group = await this.getGroup(groupId);
    const target = { id: group.id, displayName: group.displayName, type: 'Group' };
    const removed = await this.directory.removeMember(
      group.id,
      userId,
      this.audit(actor, {
        category: 'GroupManagement',
        activityDisplayName: 'Remove member from group',
        eventType: EventTypes.groupMemberRemoved,
        operationType: 'Delete',
        target,
        before: { memberId: userId },
        after: null,
      }),
    );
    if (!removed) throw resourceMissing(userId);
  }

  async listMembers(groupId: string, query: ListQuery): Promise<Page<User>> {
    const group = await this.getGroup(groupId);
    return this.directory.listMembers(group.id, query);
  }

  groupIdsOfUser(userId: string): Promise<string[]> {
    return this.groupsOfUser.get(userId, () => this.directory.groupIdsOfUser(userId));
  }

  private roleAssignmentAudit(
    actor: Actor,
    activityDisplayName: 'Add member to role' | 'Remove member from role',
    assignment: RoleAssignment,
    userPrincipalName: string | null,
  ) {
    const adding = activityDisplayName === 'Add member to role';
    return this.audit(actor, {
      category: 'RoleManagement',
      activityDisplayName,
      eventType: EventTypes.roleManagementAudited,
      operationType: adding ? 'Add' : 'Delete',
      target: { id: assignment.principalId, displayName: userPrincipalName, type: 'User' },
      before: adding ? null : assignment,
      after: adding ? assignment : null,
    });
  }

  /**
   * Assigns a directory role to a user, tenant-wide (Graph: POST roleManagement/directory/roleAssignments).
   * The principal must be a user of this directory; the role any template id (unknown ones count as
   * privileged). A second identical assignment is a conflict (409).
   */
  async createRoleAssignment(input: NewRoleAssignment, actor: Actor): Promise<RoleAssignment> {
    const found = isGuid(input.principalId) ? await this.directory.getUserById(input.principalId) : null;
    if (!found)
      throw new DomainError(
        ErrorCodes.invalidReference,
        `The principal '${input.principalId}' does not exist in the directory; expected the object id of a user.`,
      );
    const assignment = newRoleAssignment(input.roleDefinitionId, found.value.id);
    await this.directory.createRoleAssignment(
      assignment,
      this.roleAssignmentAudit(actor, 'Add member to role', assignment, found.value.userPrincipalName),
    );
    return assignment;
  }

  async getRoleAssignment(id: string): Promise<RoleAssignment> {
    const found = await this.directory.getRoleAssignment(id);
    if (!found) throw assignmentMissing(id);
    return found;
  }

  listRoleAssignments(filter: RoleAssignmentFilter): Promise<RoleAssignment[]> {
    return this.directory.listRoleAssignments(filter);
  }

  async deleteRoleAssignment(id: string, actor: Actor): Promise<void> {
    const assignment = await this.getRoleAssignment(id);
    const user = await this.directory.getUserById(assignment.principalId);
    const deleted = await this.directory.deleteRoleAssignment(
      id,
      this.roleAssignmentAudit(actor, 'Remove member from role', assignment, user?.value.userPrincipalName ?? null),
    );
    if (!deleted) throw assignmentMissing(id);
  }
}
