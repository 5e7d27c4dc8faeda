import { SignInRecord } from '../../shared/domain/signIns/signInRecord';
import { signInRecordAt, YUBIKEY_AAGUID as YUBIKEY } from '../support/signInRecords';
import { collectPages, ContractContext, idsOf } from './storeContract.fixtures';

const WINDOWS_HELLO = '08987058-cadc-4b81-b6e1-30de50dcbe96';

/** A sign-in record at the context's next instant (one second apart). */
const signIn = (ctx: ContractContext, overrides: Partial<SignInRecord> & { aaGuid?: string | null } = {}) =>
  signInRecordAt(ctx.data.nextTime(), overrides);

const refused = (errorCode: number) => ({
  status: { errorCode, failureReason: 'fido2KeyRestrictionViolation', additionalDetails: 'refused' },
});

/** The sign-in log: newest first, filters, paging, counts per AAGUID, purge. */
export function signInLogContract(ctx: ContractContext): void {
  describe('sign-in log', () => {
    it('lists appended records newest first, exactly as written (nested fields and nulls included)', async () => {
      const records = [signIn(ctx), signIn(ctx, { ipAddress: null, userAgent: null, aaGuid: null }), signIn(ctx)];
      for (const r of records) await ctx.store.signInLog.append(r);
      expect((await ctx.store.signInLog.list({ top: 10 })).items).toEqual([...records].reverse());
    });

    it('keeps one record when the same one is appended twice (a retry)', async () => {
      const record = signIn(ctx);
      await ctx.store.signInLog.append(record);
      await ctx.store.signInLog.append(record);
      expect(idsOf((await ctx.store.signInLog.list({ top: 10 })).items)).toEqual([record.id]);
    });

    it('pages newest first until exhausted, and says no more when the last page is exactly full', async () => {
      const records = [1, 2, 3, 4, 5].map(() => signIn(ctx));
      for (const r of records) await ctx.store.signInLog.append(r);
      const pages = await collectPages((after) => ctx.store.signInLog.list({ top: 2, after }));
      expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
      expect(idsOf(pages.flat())).toEqual(idsOf([...records].reverse()));
      expect((await ctx.store.signInLog.list({ top: 5 })).next).toBeUndefined();
    });

    it('filters on the time window [from, to), the UPN (any case) and the error code, combined and across pages', async () => {
      const a = signIn(ctx);
      const b = signIn(ctx, { userPrincipalName: 'bob@contoso.com', ...refused(90023) });
      const c = signIn(ctx, refused(90023));
      const d = signIn(ctx);
      for (const r of [a, b, c, d]) await ctx.store.signInLog.append(r);
      const ids = async (q: Parameters<typeof ctx.store.signInLog.list>[0]) =>
        idsOf((await ctx.store.signInLog.list(q)).items);
      expect(await ids({ top: 10, from: b.createdDateTime, to: d.createdDateTime })).toEqual([c.id, b.id]);
      expect(await ids({ top: 10, userPrincipalName: 'ADA@CONTOSO.COM' })).toEqual([d.id, c.id, a.id]);
      expect(await ids({ top: 10, errorCode: 90023 })).toEqual([c.id, b.id]);
      expect(await ids({ top: 10, errorCode: 0 })).toEqual([d.id, a.id]);
      expect(await ids({ top: 10, errorCode: 90023, userPrincipalName: 'ada@contoso.com' })).toEqual([c.id]);
      const pages = await collectPages((after) =>
        ctx.store.signInLog.list({ top: 1, after, userPrincipalName: 'ada@contoso.com' }),
      );
      expect(idsOf(pages.flat())).toEqual([d.id, c.id, a.id]);
    });

    it('counts successes and refusals per AAGUID from an instant on, leaving out AAGUIDs without any', async () => {
      const old = signIn(ctx, refused(90001));
      const records = [
        signIn(ctx),
        signIn(ctx),
        signIn(ctx, refused(90023)),
        signIn(ctx, { aaGuid: WINDOWS_HELLO, ...refused(90030) }),
        signIn(ctx, { aaGuid: null, ...refused(90001) }),
      ];
      for (const r of [old, ...records]) await ctx.store.signInLog.append(r);
      const counts = await ctx.store.signInLog.countByAaguid(
        [YUBIKEY.toUpperCase(), WINDOWS_HELLO, 'de1e552d-db1d-4423-a619-566b625cdc84'],
        records[0].createdDateTime,
      );
      expect(counts).toEqual([
        { aaGuid: WINDOWS_HELLO, succeeded: 0, refused: 1 },
        { aaGuid: YUBIKEY, succeeded: 2, refused: 1 },
      ]);
      expect(await ctx.store.signInLog.countByAaguid([], records[0].createdDateTime)).toEqual([]);
    });

    it('purges records created before an instant and keeps the rest', async () => {
      const records = [1, 2, 3].map(() => signIn(ctx));
      for (const r of records) await ctx.store.signInLog.append(r);
      expect(await ctx.store.signInLog.purgeOlderThan(records[2].createdDateTime)).toBe(2);
      expect(idsOf((await ctx.store.signInLog.list({ top: 10 })).items)).toEqual([records[2].id]);
      expect(await ctx.store.signInLog.purgeOlderThan(records[2].createdDateTime)).toBe(0);
    });
  });

  describe('AAGUID usage (inventory aggregate)', () => {
    it('aggregates passkeys, users, attestation, passkey type, first registration and last use per AAGUID', async () => {
      const [ada, bob] = [ctx.data.user(), ctx.data.user()];
      for (const u of [ada, bob]) await ctx.store.directory.createUser(u, ctx.data.audit());
      const yubiAda1 = ctx.data.credential(ada.id);
      const yubiAda2 = ctx.data.credential(ada.id, { lastUsedDateTime: ctx.data.time(500) });
      const yubiBob = ctx.data.credential(bob.id, { attestationLevel: 'notAttested', backupEligible: true });
      const hello = ctx.data.credential(bob.id, {
        aaGuid: WINDOWS_HELLO,
        model: 'Windows Hello',
        backupEligible: true,
      });
      for (const c of [yubiAda1, yubiAda2, yubiBob, hello]) await ctx.store.credentials.create(c, ctx.data.audit());
      expect(await ctx.store.credentials.usageByAaguid()).toEqual([
        {
          aaGuid: WINDOWS_HELLO,
          model: 'Windows Hello',
          passkeys: 1,
          users: 1,
          attested: 1,
          notAttested: 0,
          deviceBound: 0,
          synced: 1,
          firstRegisteredDateTime: hello.createdDateTime,
          lastUsedDateTime: null,
        },
        {
          aaGuid: YUBIKEY,
          model: 'YubiKey 5 Series',
          passkeys: 3,
          users: 2,
          attested: 2,
          notAttested: 1,
          deviceBound: 2,
          synced: 1,
          firstRegisteredDateTime: yubiAda1.createdDateTime,
          lastUsedDateTime: ctx.data.time(500),
        },
      ]);
    });

    it('follows deletes: a user leaves a model with their last passkey of it, a model with its last passkey', async () => {
      const [ada, bob] = [ctx.data.user(), ctx.data.user()];
      for (const u of [ada, bob]) await ctx.store.directory.createUser(u, ctx.data.audit());
      const ada1 = ctx.data.credential(ada.id);
      const ada2 = ctx.data.credential(ada.id);
      const hello = ctx.data.credential(bob.id, { aaGuid: WINDOWS_HELLO, model: 'Windows Hello' });
      for (const c of [ada1, ada2, hello]) await ctx.store.credentials.create(c, ctx.data.audit());
      await ctx.store.credentials.delete(ada.id, ada1.id, ctx.data.audit());
      let rows = await ctx.store.credentials.usageByAaguid();
      expect(rows.map((r) => [r.aaGuid, r.passkeys, r.users])).toEqual([
        [WINDOWS_HELLO, 1, 1],
        [YUBIKEY, 1, 1],
      ]);
      await ctx.store.credentials.delete(ada.id, ada2.id, ctx.data.audit());
      await ctx.store.directory.deleteUser(bob.id, {
        user: ctx.data.audit(),
        passkey: () => ctx.data.audit(),
        roleAssignment: () => ctx.data.audit(),
      });
      rows = await ctx.store.credentials.usageByAaguid();
      expect(rows).toEqual([]);
    });

    it('answers no rows for a store without passkeys', async () => {
      expect(await ctx.store.credentials.usageByAaguid()).toEqual([]);
    });
  });
}
