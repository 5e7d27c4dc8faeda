import { Group, User } from '../../shared/domain/directory/directory';
import { allAudit, collectPages, ContractContext, expectConflict, idsOf, sortedIds } from './storeContract.fixtures';

/** Groups and direct memberships. */
export function groupContract(ctx: ContractContext): void {
  describe('groups', () => {
    it('creates a group and reads it back by id regardless of case, with its audit record', async () => {
      const group = ctx.data.group({ description: 'Passkey pilot' });
      const audit = ctx.data.audit('Add group');
      expect(await ctx.store.directory.createGroup(group, audit)).toEqual(group);
      expect(await ctx.store.directory.getGroup(group.id)).toEqual(group);
      expect(await ctx.store.directory.getGroup(group.id.toUpperCase())).toEqual(group);
      expect(await ctx.store.directory.getGroup('00000000-0000-0000-0000-000000000000')).toBeNull();
      expect(await allAudit(ctx.store)).toEqual([audit]);
    });

    it('refuses a second group with the same id, leaving the first one alone', async () => {
      const group = ctx.data.group();
      await ctx.store.directory.createGroup(group, ctx.data.audit());
      await expectConflict(
        ctx.store.directory.createGroup({ ...group, displayName: 'Impostor' }, ctx.data.audit()),
        'Request_BadRequest',
      );
      expect(await ctx.store.directory.getGroup(group.id)).toEqual(group);
      expect(await allAudit(ctx.store)).toHaveLength(1);
    });

    it('lists groups filtered by displayName and paged by id; a filter on userPrincipalName matches none', async () => {
      const groups: Group[] = [];
      for (const name of ['Pilot A', 'Pilot B', 'pilot c', 'Helpdesk']) {
        const group = ctx.data.group({ displayName: name });
        await ctx.store.directory.createGroup(group, ctx.data.audit());
        groups.push(group);
      }
      const pilots = groups.filter((g) => g.displayName.toLowerCase().startsWith('pilot'));
      const pages = await collectPages((after) =>
        ctx.store.directory.listGroups({
          filter: [{ field: 'displayName', op: 'startswith', value: 'PILOT' }],
          top: 2,
          after,
        }),
      );
      expect(pages.map((p) => p.length)).toEqual([2, 1]);
      expect(idsOf(pages.flat())).toEqual(sortedIds(pilots));
      expect(
        (
          await ctx.store.directory.listGroups({
            filter: [{ field: 'displayName', op: 'eq', value: 'helpdesk' }],
            top: 10,
          })
        ).items,
      ).toEqual([groups[3]]);
      expect(idsOf((await ctx.store.directory.listGroups({ filter: [], top: 10 })).items)).toEqual(sortedIds(groups));
      expect(
        await ctx.store.directory.listGroups({
          filter: [{ field: 'userPrincipalName', op: 'eq', value: 'Pilot A' }],
          top: 10,
        }),
      ).toEqual({ items: [] });
    });
  });

  describe('memberships', () => {
    async function setUp(userCount: number): Promise<{ group: Group; users: User[] }> {
      const group = ctx.data.group();
      await ctx.store.directory.createGroup(group, ctx.data.audit());
      const users: User[] = [];
      for (let n = 0; n < userCount; n++) {
        const user = ctx.data.user({ displayName: n % 2 ? `Blue ${n}` : `Green ${n}` });
        await ctx.store.directory.createUser(user, ctx.data.audit());
        users.push(user);
      }
      return { group, users };
    }

    it('adds a member once: the second add answers false and records nothing', async () => {
      const { group, users } = await setUp(1);
      const before = (await allAudit(ctx.store)).length;
      const audit = ctx.data.audit('Add member to group');
      expect(await ctx.store.directory.addMember(group.id, users[0].id, audit)).toBe(true);
      expect(await ctx.store.directory.addMember(group.id, users[0].id, ctx.data.audit())).toBe(false);
      const records = await allAudit(ctx.store);
      expect(records).toHaveLength(before + 1);
      expect(records[0]).toEqual(audit);
      expect(await ctx.store.directory.groupIdsOfUser(users[0].id)).toEqual([group.id]);
    });

    it('lists the ids of every group a user is a direct member of', async () => {
      const { group, users } = await setUp(2);
      const other = ctx.data.group();
      await ctx.store.directory.createGroup(other, ctx.data.audit());
      await ctx.store.directory.addMember(group.id, users[0].id, ctx.data.audit());
      await ctx.store.directory.addMember(other.id, users[0].id, ctx.data.audit());
      await ctx.store.directory.addMember(other.id, users[1].id, ctx.data.audit());
      expect((await ctx.store.directory.groupIdsOfUser(users[0].id)).sort()).toEqual([group.id, other.id].sort());
      expect(await ctx.store.directory.groupIdsOfUser(users[1].id)).toEqual([other.id]);
      expect(await ctx.store.directory.groupIdsOfUser('00000000-0000-0000-0000-000000000000')).toEqual([]);
    });

    it('removes a member once: the second remove answers false and records nothing', async () => {
      const { group, users } = await setUp(2);
      await ctx.store.directory.addMember(group.id, users[0].id, ctx.data.audit());
      await ctx.store.directory.addMember(group.id, users[1].id, ctx.data.audit());
      const before = (await allAudit(ctx.store)).length;
      const audit = ctx.data.audit('Remove member from group');
      expect(await ctx.store.directory.removeMember(group.id, users[0].id, audit)).toBe(true);
      expect(await ctx.store.directory.removeMember(group.id, users[0].id, ctx.data.audit())).toBe(false);
      const records = await allAudit(ctx.store);
      expect(records).toHaveLength(before + 1);
      expect(records[0]).toEqual(audit);
      expect(await ctx.store.directory.groupIdsOfUser(users[0].id)).toEqual([]);
      expect((await ctx.store.directory.listMembers(group.id, { filter: [], top: 10 })).items).toEqual([users[1]]);
    });

    it('lists members (and only members) by id, filtered and paged until exhausted', async () => {
      const { group, users } = await setUp(7);
      const members = users.slice(0, 6);
      for (const user of members) await ctx.store.directory.addMember(group.id, user.id, ctx.data.audit());

      const pages = await collectPages((after) =>
        ctx.store.directory.listMembers(group.id, { filter: [], top: 4, after }),
      );
      expect(pages.map((p) => p.length)).toEqual([4, 2]);
      expect(pages.flat()).toEqual([...members].sort((a, b) => a.id.localeCompare(b.id)));

      const blue = members.filter((u) => u.displayName.startsWith('Blue'));
      const bluePages = await collectPages((after) =>
        ctx.store.directory.listMembers(group.id, {
          filter: [{ field: 'displayName', op: 'startswith', value: 'blue' }],
          top: 2,
          after,
        }),
      );
      expect(bluePages.map((p) => p.length)).toEqual([2, 1]);
      expect(idsOf(bluePages.flat())).toEqual(sortedIds(blue));
    });

    it('lists no members for a group without any', async () => {
      const { group } = await setUp(1);
      expect(await ctx.store.directory.listMembers(group.id, { filter: [], top: 10 })).toEqual({ items: [] });
    });
  });
}
