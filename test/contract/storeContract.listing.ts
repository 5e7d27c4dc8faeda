import { FilterClause, User } from '../../shared/domain/directory/directory';
import { collectPages, ContractContext, idsOf, sortedIds } from './storeContract.fixtures';

/** Listing users: case-insensitive eq/startswith filters, their conjunction, and keyset paging by id. */
export function listingContract(ctx: ContractContext): void {
  describe('listing users', () => {
    async function createUsers(specs: Array<[upn: string, displayName: string]>): Promise<User[]> {
      const users = specs.map(([userPrincipalName, displayName]) => ctx.data.user({ userPrincipalName, displayName }));
      for (const user of users) await ctx.store.directory.createUser(user, ctx.data.audit());
      return users;
    }

    const list = (filter: FilterClause[], top = 100) => ctx.store.directory.listUsers({ filter, top });

    it('filters case-insensitively with eq and startswith on displayName and userPrincipalName, and their conjunction', async () => {
      const [adaL, adaB, alan, grace] = await createUsers([
        ['ada.lovelace@contoso.com', 'Ada Lovelace'],
        ['ada.byron@fabrikam.com', 'Ada Byron'],
        ['alan.turing@contoso.com', 'Alan Turing'],
        ['grace.hopper@contoso.com', 'Grace Hopper'],
      ]);
      const byId = (users: User[]) => [...users].sort((a, b) => a.id.localeCompare(b.id));

      expect((await list([{ field: 'displayName', op: 'eq', value: 'ADA LOVELACE' }])).items).toEqual([adaL]);
      expect((await list([{ field: 'userPrincipalName', op: 'eq', value: 'Grace.Hopper@Contoso.com' }])).items).toEqual(
        [grace],
      );
      expect((await list([{ field: 'displayName', op: 'startswith', value: 'ada' }])).items).toEqual(
        byId([adaL, adaB]),
      );
      expect((await list([{ field: 'userPrincipalName', op: 'startswith', value: 'AL' }])).items).toEqual([alan]);
      expect(
        (
          await list([
            { field: 'displayName', op: 'startswith', value: 'Ada' },
            { field: 'userPrincipalName', op: 'startswith', value: 'ada.byron@' },
          ])
        ).items,
      ).toEqual([adaB]);
      // eq is the whole value, not a prefix.
      expect(await list([{ field: 'displayName', op: 'eq', value: 'Ada' }])).toEqual({ items: [] });
      expect(await list([{ field: 'displayName', op: 'startswith', value: 'Zed' }])).toEqual({ items: [] });
      expect((await list([])).items).toEqual(byId([adaL, adaB, alan, grace]));
    });

    it('treats %, _ and \\ in a startswith value literally', async () => {
      const [underscore] = await createUsers([
        ['u1@contoso.com', 'a_b user'],
        ['u2@contoso.com', 'axb user'],
        ['u3@contoso.com', '100% sure'],
        ['u4@contoso.com', 'back\\slash'],
      ]);
      expect(idsOf((await list([{ field: 'displayName', op: 'startswith', value: 'a_' }])).items)).toEqual([
        underscore.id,
      ]);
      expect((await list([{ field: 'displayName', op: 'startswith', value: '100%' }])).items).toHaveLength(1);
      expect((await list([{ field: 'displayName', op: 'startswith', value: '%' }])).items).toHaveLength(0);
      expect((await list([{ field: 'displayName', op: 'startswith', value: 'back\\' }])).items).toHaveLength(1);
    });

    it('pages by id with top and after until exhausted, without duplicates or gaps', async () => {
      const users = await createUsers(
        [1, 2, 3, 4, 5, 6, 7].map((n) => [`p${n}@contoso.com`, `Pager ${n}`] as [string, string]),
      );
      const pages = await collectPages((after) => ctx.store.directory.listUsers({ filter: [], top: 3, after }));
      expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
      expect(pages.flat().map((u) => u.id)).toEqual(sortedIds(users));
      expect(pages.flat()).toEqual(expect.arrayContaining(users));
    });

    it('says no more pages when the last page is exactly full', async () => {
      await createUsers([1, 2, 3, 4, 5, 6].map((n) => [`e${n}@contoso.com`, `Exact ${n}`] as [string, string]));
      const first = await ctx.store.directory.listUsers({ filter: [], top: 3 });
      expect(first.items).toHaveLength(3);
      expect(first.next).toBe(first.items[2].id);
      const second = await ctx.store.directory.listUsers({ filter: [], top: 3, after: first.next });
      expect(second.items).toHaveLength(3);
      expect(second.next).toBeUndefined();
    });

    it('pages through filtered results only', async () => {
      const users = await createUsers(
        [1, 2, 3, 4, 5, 6, 7, 8].map(
          (n) => [`f${n}@contoso.com`, n % 2 ? `Odd ${n}` : `Even ${n}`] as [string, string],
        ),
      );
      const odd = users.filter((u) => u.displayName.startsWith('Odd'));
      const filter: FilterClause[] = [{ field: 'displayName', op: 'startswith', value: 'odd' }];
      const pages = await collectPages((after) => ctx.store.directory.listUsers({ filter, top: 3, after }));
      expect(pages.map((p) => p.length)).toEqual([3, 1]);
      expect(idsOf(pages.flat())).toEqual(sortedIds(odd));
    });

    it('returns an empty last page when after is past every id', async () => {
      await createUsers([['z@contoso.com', 'Z']]);
      expect(
        await ctx.store.directory.listUsers({ filter: [], top: 5, after: 'ffffffff-ffff-ffff-ffff-ffffffffffff' }),
      ).toEqual({ items: [] });
    });
  });
}
