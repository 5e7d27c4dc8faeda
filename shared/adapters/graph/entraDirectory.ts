import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import { RoleAssignment } from '../../domain/auth/roleAssignment';
import { FilterClause, Group, ListQuery, Page, User } from '../../domain/directory/directory';
import { ErrorCodes } from '../../domain/errorCodes';
import { DomainError } from '../../domain/errors';
import { Clock } from '../../ports/clock.port';
import { DirectoryRepository, RoleAssignmentFilter } from '../../ports/directory.port';
import { Versioned } from '../../ports/versioned';

/** The user properties the service reads, asked for with `$select` (Graph returns few by default). */
export const USER_SELECT = 'id,userPrincipalName,userType,accountEnabled,displayName,mail,createdDateTime';
const GROUP_SELECT = 'id,displayName,description,securityEnabled,mailEnabled,createdDateTime';

/** A Graph user as the connector reads it; absent optional properties take Entra's defaults. */
export const GraphUser = z.looseObject({
  id: z.string().min(1),
  userPrincipalName: z.string().min(1),
  displayName: z.string().nullish(),
  userType: z.enum(['Member', 'Guest']).nullish(),
  accountEnabled: z.boolean().nullish(),
  mail: z.string().nullish(),
  createdDateTime: z.string().nullish(),
});
const GraphGroup = z.looseObject({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  description: z.string().nullish(),
  securityEnabled: z.boolean().nullish(),
  mailEnabled: z.boolean().nullish(),
  createdDateTime: z.string().nullish(),
});
const collection = <T extends z.ZodTypeAny>(item: T) =>
  z.looseObject({ value: z.array(item), '@odata.nextLink': z.string().optional() });
const IdOnly = z.looseObject({ id: z.string() });
const BatchAnswer = z.object({
  responses: z.array(
    z.object({
      id: z.string(),
      status: z.number(),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
    }),
  ),
});

/** A Graph user in the service's shape. */
export function userFromGraph(raw: unknown): User {
  const u = GraphUser.parse(raw);
  return {
    id: u.id,
    userPrincipalName: u.userPrincipalName,
    displayName: u.displayName ?? u.userPrincipalName,
    userType: u.userType ?? 'Member',
    accountEnabled: u.accountEnabled ?? true,
    mail: u.mail ?? null,
    createdDateTime: u.createdDateTime ?? new Date(0).toISOString(),
  };
}

function groupFromGraph(raw: unknown): Group {
  const g = GraphGroup.parse(raw);
  return {
    id: g.id,
    displayName: g.displayName ?? g.id,
    description: g.description ?? null,
    securityEnabled: g.securityEnabled ?? false,
    mailEnabled: g.mailEnabled ?? false,
    createdDateTime: g.createdDateTime ?? new Date(0).toISOString(),
  };
}

const statusOf = (e: unknown): number | undefined =>
  typeof e === 'object' && e !== null && 'statusCode' in e && typeof e.statusCode === 'number'
    ? e.statusCode
    : undefined;

/** Graph failing (throttled past the retries, down): the service answers 503, keeping the cause. */
function unavailable(what: string, e: unknown): DomainError {
  return new DomainError(ErrorCodes.serviceUnavailable, `The directory (Microsoft Graph) did not answer ${what}`, {
    cause: e,
  });
}

const odataString = (v: string) => `'${v.replace(/'/g, "''")}'`;
const filterText = (clauses: FilterClause[]) =>
  clauses
    .map((c) =>
      c.op === 'eq' ? `${c.field} eq ${odataString(c.value)}` : `startswith(${c.field},${odataString(c.value)})`,
    )
    .join(' and ');
const skipTokenOf = (nextLink: string | undefined) =>
  nextLink ? (new URL(nextLink).searchParams.get('$skiptoken') ?? undefined) : undefined;

/** Graph's users carry no ETag the service could match: reads answer a fixed one, and writes are refused. */
const GRAPH_ETAG = 'W/"entra"';

export interface EntraDirectoryOptions {
  graph: Client;
  /** Role assignments stay the service's own (they decide who may act on privileged users). */
  roleAssignments: Pick<
    DirectoryRepository,
    'createRoleAssignment' | 'getRoleAssignment' | 'listRoleAssignments' | 'deleteRoleAssignment'
  >;
  clock: Clock;
  /** How long a user's transitive groups are trusted (sign-in must not call Graph every time). */
  membershipTtlMs: number;
  /** Requests per `$batch` (Graph allows 20). */
  batchSize?: number;
}

interface Waiter {
  userId: string;
  resolve(ids: string[]): void;
  reject(e: unknown): void;
}

/**
 * The directory of record is an Entra tenant, read through Microsoft Graph (DIRECTORY=entra):
 * users by id or UPN, lists with `$filter`/`$top`/skiptoken paging, a user's groups transitively
 * (Entra's policy targets include nested groups), cached for a short TTL; concurrent membership
 * look-ups of different users go out as one `$batch`. Writes of users and groups are Entra's:
 * they answer `directoryManagedByEntra` (403).
 */
export class EntraDirectory implements DirectoryRepository {
  private readonly memberships = new Map<string, { ids: string[]; until: number }>();
  private pending: Waiter[] = [];
  private flushing = false;
  /** Graph requests made (tests read it to see what the cache saved). */
  requests = 0;

  constructor(private readonly options: EntraDirectoryOptions) {}

  private get graph(): Client {
    this.requests++;
    return this.options.graph;
  }

  private refuse(what: string): never {
    throw new DomainError(
      ErrorCodes.directoryManagedByEntra,
      `${what} is not possible here: with DIRECTORY=entra users and groups are managed in the Entra tenant (Microsoft Graph or the Entra admin center)`,
    );
  }

  createUser(): Promise<Versioned<User>> {
    this.refuse('Creating a user');
  }
  updateUser(): Promise<Versioned<User>> {
    this.refuse('Changing a user');
  }
  deleteUser(): Promise<boolean> {
    this.refuse('Deleting a user');
  }
  createGroup(): Promise<Group> {
    this.refuse('Creating a group');
  }
  addMember(): Promise<boolean> {
    this.refuse('Adding a group member');
  }
  removeMember(): Promise<boolean> {
    this.refuse('Removing a group member');
  }

  private async getOne<T>(path: string, select: string, map: (raw: unknown) => T): Promise<T | null> {
    try {
      return map(await this.graph.api(path).select(select).get());
    } catch (e) {
      if (statusOf(e) === 404) return null;
      throw unavailable(`for ${path}`, e);
    }
  }

  async getUserById(id: string): Promise<Versioned<User> | null> {
    const user = await this.getOne(`/users/${encodeURIComponent(id)}`, USER_SELECT, userFromGraph);
    return user && { value: user, etag: GRAPH_ETAG };
  }

  async getUserByUpn(userPrincipalName: string): Promise<Versioned<User> | null> {
    // Graph answers /users/{userPrincipalName} as /users/{id}.
    const user = await this.getOne(`/users/${encodeURIComponent(userPrincipalName)}`, USER_SELECT, userFromGraph);
    return user && user.userPrincipalName.toLowerCase() === userPrincipalName.toLowerCase()
      ? { value: user, etag: GRAPH_ETAG }
      : null;
  }

  private async list<T>(path: string, select: string, query: ListQuery, map: (raw: unknown) => T): Promise<Page<T>> {
    let request = this.graph.api(path).select(select).top(query.top);
    if (query.filter.length) request = request.filter(filterText(query.filter));
    if (query.after) request = request.query({ $skiptoken: query.after });
    try {
      const page = collection(z.unknown()).parse(await request.get());
      return { items: page.value.map(map), next: skipTokenOf(page['@odata.nextLink']) };
    } catch (e) {
      throw unavailable(`for ${path}`, e);
    }
  }

  listUsers(query: ListQuery): Promise<Page<User>> {
    return this.list('/users', USER_SELECT, query, userFromGraph);
  }
  getGroup(id: string): Promise<Group | null> {
    return this.getOne(`/groups/${encodeURIComponent(id)}`, GROUP_SELECT, groupFromGraph);
  }
  listGroups(query: ListQuery): Promise<Page<Group>> {
    return this.list('/groups', GROUP_SELECT, query, groupFromGraph);
  }
  listMembers(groupId: string, query: ListQuery): Promise<Page<User>> {
    return this.list(
      `/groups/${encodeURIComponent(groupId)}/members/microsoft.graph.user`,
      USER_SELECT,
      query,
      userFromGraph,
    );
  }

  /** Every page of a collection, following `@odata.nextLink` (Graph's own, absolute). */
  private async allIds(first: unknown): Promise<string[]> {
    const ids: string[] = [];
    let page = collection(IdOnly).parse(first);
    for (;;) {
      ids.push(...page.value.map((g) => g.id));
      const next = page['@odata.nextLink'];
      if (!next) return ids;
      page = collection(IdOnly).parse(await this.graph.api(next).get());
    }
  }

  private membershipPath(userId: string): string {
    return `/users/${encodeURIComponent(userId)}/transitiveMemberOf/microsoft.graph.group?$select=id&$top=999`;
  }

  /**
   * The groups the user belongs to, directly or through nested groups, from the cache while fresh.
   * Look-ups that arrive together (a bulk job, a burst of sign-ins) share one `$batch`.
   */
  groupIdsOfUser(userId: string): Promise<string[]> {
    const cached = this.memberships.get(userId);
    if (cached && cached.until > this.options.clock.now().getTime()) return Promise.resolve(cached.ids);
    return new Promise((resolve, reject) => {
      this.pending.push({ userId, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Forgets a user's cached groups (a change notification said they changed). */
  forgetMemberships(userId?: string): void {
    if (userId) this.memberships.delete(userId);
    else this.memberships.clear();
  }

  private remember(userId: string, ids: string[]): string[] {
    this.memberships.set(userId, { ids, until: this.options.clock.now().getTime() + this.options.membershipTtlMs });
    return ids;
  }

  private async flush(): Promise<void> {
    const waiters = this.pending;
    this.pending = [];
    this.flushing = false;
    const byUser = new Map<string, Waiter[]>();
    for (const w of waiters) byUser.set(w.userId, [...(byUser.get(w.userId) ?? []), w]);
    const users = [...byUser.keys()];
    const size = this.options.batchSize ?? 20;
    const settle = (userId: string, result: { ids: string[] } | { error: unknown }) => {
      for (const w of byUser.get(userId) ?? []) {
        if ('ids' in result) w.resolve(result.ids);
        else w.reject(result.error);
      }
    };
    const chunks: string[][] = [];
    for (let i = 0; i < users.length; i += size) chunks.push(users.slice(i, i + size));
    await Promise.all(
      chunks.map(async (chunk) => {
        try {
          const found = chunk.length === 1 ? await this.fetchOne(chunk[0]!) : await this.fetchBatch(chunk);
          for (const userId of chunk) settle(userId, { ids: this.remember(userId, found.get(userId) ?? []) });
        } catch (e) {
          for (const userId of chunk) settle(userId, { error: unavailable(`with the groups of user ${userId}`, e) });
        }
      }),
    );
  }

  private async fetchOne(userId: string): Promise<Map<string, string[]>> {
    try {
      return new Map([[userId, await this.allIds(await this.graph.api(this.membershipPath(userId)).get())]]);
    } catch (e) {
      // A user Graph does not know is in no group (the caller decides what a missing user means).
      if (statusOf(e) === 404) return new Map([[userId, []]]);
      throw e;
    }
  }

  /** One `$batch` of membership look-ups; throttled steps are sent again after their Retry-After, bounded. */
  private async fetchBatch(userIds: string[]): Promise<Map<string, string[]>> {
    const found = new Map<string, string[]>();
    let todo = userIds.map((userId, i) => ({ id: String(i + 1), userId }));
    for (let round = 0; todo.length; round++) {
      const answer = BatchAnswer.parse(
        await this.graph.api('/$batch').post({
          requests: todo.map((t) => ({ id: t.id, method: 'GET', url: this.membershipPath(t.userId) })),
        }),
      );
      const again: typeof todo = [];
      let waitMs = 0;
      for (const step of todo) {
        const r = answer.responses.find((x) => x.id === step.id);
        if (!r) throw new Error(`$batch answered no response for step ${step.id}`);
        if (r.status === 404) found.set(step.userId, []);
        else if (r.status === 429 || r.status === 503) {
          if (round >= 3) throw new Error(`Graph kept throttling the groups of user ${step.userId} (${r.status})`);
          again.push(step);
          waitMs = Math.max(waitMs, Number(r.headers?.['Retry-After'] ?? r.headers?.['retry-after'] ?? 1) * 1000);
        } else if (r.status >= 200 && r.status < 300) found.set(step.userId, await this.allIds(r.body));
        else throw new Error(`Graph answered ${r.status} for the groups of user ${step.userId}`);
      }
      if (again.length) await new Promise((resolve) => setTimeout(resolve, Math.min(waitMs, 30_000)));
      todo = again;
    }
    return found;
  }

  createRoleAssignment(assignment: RoleAssignment, audit: Parameters<DirectoryRepository['createRoleAssignment']>[1]) {
    return this.options.roleAssignments.createRoleAssignment(assignment, audit);
  }
  getRoleAssignment(id: string): Promise<RoleAssignment | null> {
    return this.options.roleAssignments.getRoleAssignment(id);
  }
  listRoleAssignments(filter: RoleAssignmentFilter): Promise<RoleAssignment[]> {
    return this.options.roleAssignments.listRoleAssignments(filter);
  }
  deleteRoleAssignment(id: string, audit: Parameters<DirectoryRepository['deleteRoleAssignment']>[1]) {
    return this.options.roleAssignments.deleteRoleAssignment(id, audit);
  }
}
