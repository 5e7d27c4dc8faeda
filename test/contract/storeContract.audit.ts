import { AuditRecord } from '../../shared/domain/audit';
import { collectPages, ContractContext, idsOf } from './storeContract.fixtures';
import { EventTypes } from '../../shared/domain/events/eventTypes';

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

  describe('audit as the outbox', () => {
    const outbox = () => {
      expect(ctx.store.outbox).toBeDefined();
      return ctx.store.outbox!;
    };
    /** Reads from `cursor` until nothing is new; returns the records in order and the last cursor. */
    async function readAll(
      cursor: string | undefined,
      top = 100,
    ): Promise<{ records: AuditRecord[]; cursor: string | undefined }> {
      const records: AuditRecord[] = [];
      for (;;) {
        const batch = await outbox().readAfter(cursor, top);
        if (batch.records.length === 0) return { records, cursor: batch.cursor ?? cursor };
        records.push(...batch.records);
        cursor = batch.cursor;
      }
    }

    it('reads appended records oldest first from the start, as they were written', async () => {
      const records = [1, 2, 3].map((n) => ctx.data.audit(`Change ${n}`));
      for (const record of records) await ctx.store.audit.append(record);
      expect((await readAll(undefined)).records).toEqual(records);
    });

    it('resumes after a cursor: nothing again, then only what was appended later', async () => {
      const first = ctx.data.audit('First');
      await ctx.store.audit.append(first);
      const { cursor } = await readAll(undefined);
      expect(cursor).toBeDefined();
      expect((await outbox().readAfter(cursor, 100)).records).toEqual([]);
      const later = [ctx.data.audit('Second'), ctx.data.audit('Third')];
      for (const record of later) await ctx.store.audit.append(record);
      expect(idsOf((await readAll(cursor)).records)).toEqual(idsOf(later));
    });

    it('pages with a small top and loses nothing across pages', async () => {
      const records = [1, 2, 3, 4, 5].map((n) => ctx.data.audit(`Change ${n}`));
      for (const record of records) await ctx.store.audit.append(record);
      expect(idsOf((await readAll(undefined, 2)).records)).toEqual(idsOf(records));
    });

    it("keeps each record's declared event type, in the log and in the outbox; an older record without one reads back without one", async () => {
      const declared = {
        ...ctx.data.audit('Update authentication methods policy'),
        eventType: EventTypes.fido2PolicyUpdated,
      };
      const { eventType: _none, ...legacy } = ctx.data.audit('Add user');
      await ctx.store.audit.append(declared);
      await ctx.store.audit.append(legacy);
      const ours = (records: AuditRecord[]) => records.filter((r) => r.id === declared.id || r.id === legacy.id);
      const expected = [
        [declared.id, EventTypes.fido2PolicyUpdated],
        [legacy.id, undefined],
      ];
      expect(ours((await readAll(undefined)).records).map((r) => [r.id, r.eventType])).toEqual(expected);
      expect(
        ours((await ctx.store.audit.list({ top: 1000 })).items)
          .map((r) => [r.id, r.eventType])
          .reverse(),
      ).toEqual(expected);
      expect(
        ours((await ctx.store.audit.list({ top: 1000 })).items).find((r) => r.id === legacy.id),
      ).not.toHaveProperty('eventType');
    });

    it('keeps a cursor per relay, and overwrites it', async () => {
      expect(await outbox().getCursor('relay-a')).toBeUndefined();
      await ctx.store.audit.append(ctx.data.audit());
      const { cursor } = await readAll(undefined);
      await outbox().setCursor('relay-a', cursor!);
      expect(await outbox().getCursor('relay-a')).toBe(cursor);
      expect(await outbox().getCursor('relay-b')).toBeUndefined();
      await outbox().setCursor('relay-a', cursor!);
      expect(await outbox().getCursor('relay-a')).toBe(cursor);
    });
  });
}
