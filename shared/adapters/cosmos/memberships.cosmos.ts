import { Container } from '@azure/cosmos';
import { ListQuery, Page, User } from '../../domain/directory/directory';
import {
  assertPageSize,
  CosmosDocument,
  deleteDocument,
  deletePartition,
  isStatus,
  queryAll,
  toDomainValue,
  whereClause,
} from './documents.cosmos';
import { filterToCosmos, LOWERCASE_FIELD } from './listing.cosmos';

/** Member ids read per round trip while collecting a page of members. */
const MEMBER_BATCH = 100;

/**
 * Direct group memberships, one document per (group, user), partitioned by user id so that a user's
 * group ids — read on every policy evaluation — come from one partition.
 */
export class CosmosMemberships {
  constructor(
    private readonly memberships: Container,
    private readonly users: Container,
  ) {}

  /** False when the user already was a member (the document exists: 409). */
  async add(groupId: string, userId: string): Promise<boolean> {
    try {
      await this.memberships.items.create({ id: membershipId(groupId, userId), groupId, userId });
      return true;
    } catch (e) {
      if (isStatus(e, 409)) return false;
      throw e;
    }
  }

  remove(groupId: string, userId: string): Promise<boolean> {
    return deleteDocument(this.memberships, membershipId(groupId, userId), userId);
  }

  groupIdsOf(userId: string): Promise<string[]> {
    return queryAll<string>(
      this.memberships,
      'SELECT VALUE c.groupId FROM c WHERE c.userId = @userId',
      [{ name: '@userId', value: userId }],
      userId,
    );
  }

  async removeAllOf(userId: string): Promise<void> {
    await deletePartition(this.memberships, 'userId', userId);
  }

  /**
   * Members ordered by user id, filtered on the users' own fields. Memberships are walked in id order
   * in batches and joined with the users until a page (plus one, to know whether more follow) is
   * full, so a large group is never read whole and a membership whose user is gone is skipped.
   */
  async listMembers(groupId: string, query: ListQuery): Promise<Page<User>> {
    assertPageSize(query.top);
    const { where, parameters } = filterToCosmos(query.filter);
    const found: User[] = [];
    let after = query.after;
    for (;;) {
      const memberIds = await this.memberIdsAfter(groupId, after);
      if (memberIds.length > 0) {
        const docs = await queryAll<CosmosDocument>(
          this.users,
          `SELECT * FROM c ${whereClause([...where, 'ARRAY_CONTAINS(@ids, c.id)'])} ORDER BY c.id`,
          [...parameters, { name: '@ids', value: memberIds }],
        );
        found.push(...docs.map((d) => toDomainValue<User>(d, [LOWERCASE_FIELD])));
      }
      if (found.length > query.top || memberIds.length < MEMBER_BATCH) break;
      after = memberIds[memberIds.length - 1];
    }
    const page = found.slice(0, query.top);
    return { items: page, next: found.length > query.top ? page[page.length - 1].id : undefined };
  }

  private memberIdsAfter(groupId: string, after: string | undefined): Promise<string[]> {
    const where = ['c.groupId = @groupId'];
    const parameters = [
      { name: '@groupId', value: groupId },
      { name: '@batch', value: MEMBER_BATCH },
    ];
    if (after !== undefined) {
      where.push('c.userId > @after');
      parameters.push({ name: '@after', value: after });
    }
    return queryAll<string>(
      this.memberships,
      `SELECT TOP @batch VALUE c.userId FROM c ${whereClause(where)} ORDER BY c.userId`,
      parameters,
    );
  }
}

/** Cosmos ids may not contain '/', '\\', '?' or '#'; directory ids are GUIDs, so '|' separates safely. */
const membershipId = (groupId: string, userId: string) => `${groupId}|${userId}`;
