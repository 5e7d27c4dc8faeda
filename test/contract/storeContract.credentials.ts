import { allAudit, ContractContext, expectConflict, expectStaleEtag, sortedIds } from './storeContract.fixtures';

/** Passkeys: point reads by credential id, per-user listing, ETags, and deletes scoped by user. */
export function credentialContract(ctx: ContractContext): void {
  describe('credentials', () => {
    const userId = 'a0a0a0a0-0000-4000-8000-000000000001';
    const otherUserId = 'b0b0b0b0-0000-4000-8000-000000000002';

    it('creates a passkey and reads it back by credential id with the same value and ETag, with its audit record', async () => {
      const credential = ctx.data.credential(userId, { backupEligible: true, backedUp: true, model: null });
      const audit = ctx.data.audit('Register passkey');
      const created = await ctx.store.credentials.create(credential, audit);
      expect(created.value).toEqual(credential);
      expect(await ctx.store.credentials.get(credential.id)).toEqual({ value: credential, etag: created.etag });
      expect(await ctx.store.credentials.get('no-such-credential')).toBeNull();
      expect(await allAudit(ctx.store)).toEqual([audit]);
    });

    it('refuses a credential id that is already registered, keeping the first passkey', async () => {
      const credential = ctx.data.credential(userId);
      const created = await ctx.store.credentials.create(credential, ctx.data.audit());
      const duplicate = { ...credential, userId: otherUserId, displayName: 'Cloned' };
      await expectConflict(ctx.store.credentials.create(duplicate, ctx.data.audit()), 'credentialAlreadyRegistered');
      await expect(ctx.store.credentials.create(duplicate, ctx.data.audit())).rejects.toThrow(credential.id);
      expect(await ctx.store.credentials.get(credential.id)).toEqual(created);
      expect(await allAudit(ctx.store)).toHaveLength(1);
    });

    it("lists a user's passkeys and no one else's", async () => {
      const mine = [ctx.data.credential(userId), ctx.data.credential(userId, { displayName: 'Phone' })];
      const theirs = ctx.data.credential(otherUserId);
      for (const c of [...mine, theirs]) await ctx.store.credentials.create(c, ctx.data.audit());
      const listed = await ctx.store.credentials.listByUser(userId);
      expect(sortedIds(listed)).toEqual(sortedIds(mine));
      expect(listed).toEqual(expect.arrayContaining(mine));
      expect(await ctx.store.credentials.listByUser(otherUserId)).toEqual([theirs]);
      expect(await ctx.store.credentials.listByUser('c0c0c0c0-0000-4000-8000-000000000003')).toEqual([]);
    });

    it('scans every passkey of the tenant in pages ordered by credential id, resuming after each page', async () => {
      const all = Array.from({ length: 5 }, (_, i) => ctx.data.credential(i % 2 ? userId : otherUserId));
      for (const c of all) await ctx.store.credentials.create(c, ctx.data.audit());
      const expected = [...all].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const pages: string[][] = [];
      let after: string | undefined;
      do {
        const page = await ctx.store.credentials.scanPage({ top: 2, after });
        pages.push(page.items.map((c) => c.id));
        expect(page.items).toEqual(
          expect.arrayContaining(expected.filter((c) => page.items.some((p) => p.id === c.id))),
        );
        after = page.next;
      } while (after !== undefined);
      expect(pages).toEqual([
        expected.slice(0, 2).map((c) => c.id),
        expected.slice(2, 4).map((c) => c.id),
        expected.slice(4).map((c) => c.id),
      ]);
      const whole = await ctx.store.credentials.scanPage({ top: 10 });
      expect(whole).toEqual({ items: expected, next: undefined });
      expect(await ctx.store.credentials.scanPage({ top: 5 })).toEqual({ items: expected, next: undefined });
      expect(await ctx.store.credentials.scanPage({ top: 2, after: expected[4].id })).toEqual({
        items: [],
        next: undefined,
      });
    });

    it('updates with the current ETag and refuses a stale one or an unknown credential', async () => {
      const credential = ctx.data.credential(userId);
      const created = await ctx.store.credentials.create(credential, ctx.data.audit());
      const used = { ...credential, signCount: 7, lastUsedDateTime: ctx.data.nextTime() };
      const updated = await ctx.store.credentials.update(used, created.etag);
      expect(updated.value).toEqual(used);
      expect(updated.etag).not.toBe(created.etag);
      expect(await ctx.store.credentials.get(credential.id)).toEqual({ value: used, etag: updated.etag });

      await expectStaleEtag(ctx.store.credentials.update({ ...credential, signCount: 8 }, created.etag));
      expect((await ctx.store.credentials.get(credential.id))?.value).toEqual(used);
      await expectStaleEtag(ctx.store.credentials.update(ctx.data.credential(userId), updated.etag));
    });

    describe('recordSignIn (single use and sign count, both or neither)', () => {
      const inMinutes = (m: number) => new Date(Date.now() + m * 60_000);

      it('records the challenge as used and replaces the passkey; the same challenge again writes nothing', async () => {
        const credential = ctx.data.credential(userId);
        const created = await ctx.store.credentials.create(credential, ctx.data.audit());
        const used = { ...credential, signCount: 3, lastUsedDateTime: ctx.data.nextTime() };
        const challenge = { id: `sign-in-${credential.id}`, expiresAt: inMinutes(5) };
        const written = await ctx.store.credentials.recordSignIn(used, created.etag, challenge);
        expect(written?.value).toEqual(used);
        expect(await ctx.store.credentials.get(credential.id)).toEqual(written);
        const again = { ...used, signCount: 4 };
        expect(await ctx.store.credentials.recordSignIn(again, written!.etag, challenge)).toBeNull();
        expect(await ctx.store.credentials.get(credential.id)).toEqual(written);
        expect(await ctx.store.challenges.consume(challenge.id, challenge.expiresAt)).toBe(false);
      });

      it('a stale ETag writes neither: the passkey stays and the challenge is still unused', async () => {
        const credential = ctx.data.credential(userId);
        const created = await ctx.store.credentials.create(credential, ctx.data.audit());
        const rival = await ctx.store.credentials.update({ ...credential, signCount: 9 }, created.etag);
        const challenge = { id: `stale-${credential.id}`, expiresAt: inMinutes(5) };
        await expectStaleEtag(
          ctx.store.credentials.recordSignIn({ ...credential, signCount: 5 }, created.etag, challenge),
        );
        expect(await ctx.store.credentials.get(credential.id)).toEqual(rival);
        // The retry on the fresh row may still use it.
        const retried = await ctx.store.credentials.recordSignIn(
          { ...credential, signCount: 10 },
          rival.etag,
          challenge,
        );
        expect(retried?.value.signCount).toBe(10);
      });

      it('attack: one assertion sent twice at once is recorded once', async () => {
        const credential = ctx.data.credential(userId);
        const created = await ctx.store.credentials.create(credential, ctx.data.audit());
        const challenge = { id: `twice-${credential.id}`, expiresAt: inMinutes(5) };
        const used = { ...credential, signCount: 2 };
        const results = await Promise.allSettled([
          ctx.store.credentials.recordSignIn(used, created.etag, challenge),
          ctx.store.credentials.recordSignIn(used, created.etag, challenge),
        ]);
        const recorded = results.filter((r) => r.status === 'fulfilled' && r.value !== null);
        expect(recorded).toHaveLength(1);
      });
    });

    it('deletes a passkey only for its own user, once, with its audit record', async () => {
      const credential = ctx.data.credential(userId);
      await ctx.store.credentials.create(credential, ctx.data.audit());

      expect(await ctx.store.credentials.delete(otherUserId, credential.id, ctx.data.audit())).toBe(false);
      expect(await ctx.store.credentials.get(credential.id)).not.toBeNull();
      expect(await allAudit(ctx.store)).toHaveLength(1);

      const audit = ctx.data.audit('Delete passkey');
      expect(await ctx.store.credentials.delete(userId, credential.id, audit)).toBe(true);
      expect(await ctx.store.credentials.get(credential.id)).toBeNull();
      expect(await ctx.store.credentials.listByUser(userId)).toEqual([]);
      expect((await allAudit(ctx.store))[0]).toEqual(audit);

      expect(await ctx.store.credentials.delete(userId, credential.id, ctx.data.audit())).toBe(false);
      expect(await allAudit(ctx.store)).toHaveLength(2);
    });
  });
}
