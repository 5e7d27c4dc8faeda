import { ContractContext } from './storeContract.fixtures';

/** Single-use challenges: consumed once, even under concurrency, and purged after expiry. */
export function challengeContract(ctx: ContractContext): void {
  describe('consumed challenges', () => {
    const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000);

    it('consumes a challenge once: the second attempt answers false', async () => {
      expect(await ctx.store.challenges.consume('challenge-1', inMinutes(5))).toBe(true);
      expect(await ctx.store.challenges.consume('challenge-1', inMinutes(5))).toBe(false);
      expect(await ctx.store.challenges.consume('challenge-2', inMinutes(5))).toBe(true);
    });

    it('lets exactly one of many concurrent consumers of the same challenge win', async () => {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => ctx.store.challenges.consume('contended', inMinutes(5))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('purges only the expired records and says how many', async () => {
      const now = new Date();
      await ctx.store.challenges.consume('expired-1', new Date(now.getTime() - 60_000));
      await ctx.store.challenges.consume('expired-2', new Date(now.getTime() - 1));
      await ctx.store.challenges.consume('live', new Date(now.getTime() + 60_000));

      expect(await ctx.store.challenges.purgeExpired(now)).toBe(2);
      expect(await ctx.store.challenges.purgeExpired(now)).toBe(0);
      // The live record is still there, so its challenge still cannot be reused.
      expect(await ctx.store.challenges.consume('live', inMinutes(5))).toBe(false);
      expect(await ctx.store.challenges.consume('expired-1', inMinutes(5))).toBe(true);
    });

    it('purges strictly before the cutoff it is given (the service passes expiry plus a margin)', async () => {
      const cutoff = new Date(Date.now() - 10 * 60_000);
      await ctx.store.challenges.consume('before-cutoff', new Date(cutoff.getTime() - 1));
      await ctx.store.challenges.consume('at-cutoff', cutoff);
      await ctx.store.challenges.consume('expired-after-cutoff', new Date(cutoff.getTime() + 60_000));
      expect(await ctx.store.challenges.purgeExpired(cutoff)).toBe(1);
      expect(await ctx.store.challenges.consume('at-cutoff', inMinutes(5))).toBe(false);
      expect(await ctx.store.challenges.consume('expired-after-cutoff', inMinutes(5))).toBe(false);
    });

    it('ids are case-sensitive (challenge ids are base64url)', async () => {
      expect(await ctx.store.challenges.consume('CaseId', inMinutes(5))).toBe(true);
      expect(await ctx.store.challenges.consume('caseid', inMinutes(5))).toBe(true);
    });
  });
}
