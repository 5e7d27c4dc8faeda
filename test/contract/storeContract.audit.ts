import { AuditRecord } from '../../shared/domain/audit';
import { collectPages, ContractContext, idsOf } from './storeContract.fixtures';

/** The audit log: append-only, newest first, a time window and cursor paging. */
export function auditContract(ctx: ContractContext): void {
  describe('audit', () => {
    async function appendFive(): Promise<AuditRecord[]> {
      const records = [1, 2, 3, 4, 5].map((n) => ctx.data.audit(`Change ${n}`));
      for (const record of records) await ctx.store.audit.append(record);
      return records;
    }

    it('lists appended records newest first, as they were written', async () => {
      const records = await appendFive();
      expect((await ctx.store.audit.list({ top: 10 })).items).toEqual([...records].reverse());
    });

    it('pages newest first with top and after until exhausted', async () => {
      const records = await appendFive();
      const pages = await collectPages((after) => ctx.store.audit.list({ top: 2, after }));
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(idsOf(pages.flat())).toEqual(idsOf([...records].reverse()));
    });

    it('says no more pages when the last page is exactly full', async () => {
      await ctx.store.audit.append(ctx.data.audit());
      await ctx.store.audit.append(ctx.data.audit());
      expect((await ctx.store.audit.list({ top: 2 })).next).toBeUndefined();
    });

    it('limits the listing to from (inclusive) and to (exclusive), also across pages', async () => {
      const [, second, third, fourth] = await appendFive();
      const window = { from: second.activityDateTime, to: fourth.activityDateTime };
      expect(idsOf((await ctx.store.audit.list({ ...window, top: 10 })).items)).toEqual([third.id, second.id]);
      const pages = await collectPages((after) => ctx.store.audit.list({ ...window, top: 1, after }));
      expect(idsOf(pages.flat())).toEqual([third.id, second.id]);
      expect(idsOf((await ctx.store.audit.list({ from: fourth.activityDateTime, top: 10 })).items)).toHaveLength(2);
      expect(idsOf((await ctx.store.audit.list({ to: second.activityDateTime, top: 10 })).items)).toHaveLength(1);
    });

    it('lists nothing from an empty log', async () => {
      expect(await ctx.store.audit.list({ top: 10 })).toEqual({ items: [] });
    });
  });
}
